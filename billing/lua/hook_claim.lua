--! use common/lua/clock.lua
--! keys: due queue attempts backoff
--! args: brand lease_ms
-- Claim a brand whose next delivery is due: its queue's head, for ``lease_ms``, so that one
-- worker at a time delivers a brand's events (in order) while others take other brands.
-- Clearing the backoff mark keeps "retry now" off a brand whose attempt is under way.
-- ``due``: the brands by when they are due; ``queue``: the brand's own.
local now = now_ms()
local due = redis.call('ZSCORE', KEY.due, ARG.brand)
if not due or tonumber(due) > now then return false end
local head = redis.call('LINDEX', KEY.queue, 0)
if not head then
  redis.call('ZREM', KEY.due, ARG.brand)
  return false
end
redis.call('ZADD', KEY.due, now + tonumber(ARG.lease_ms), ARG.brand)
redis.call('HDEL', KEY.backoff, ARG.brand)
return {head, tonumber(redis.call('HGET', KEY.attempts, ARG.brand) or '0')}
