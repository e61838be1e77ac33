--! use common/lua/clock.lua
--! keys: due backoff
--! args: brand
-- "Retry now" for a brand waiting out its backoff: due at once. A brand that is claimed
-- (an attempt under way) or already due has no backoff mark and is left alone (0), so an
-- event is never attempted twice at once and a second call changes nothing.
if redis.call('HEXISTS', KEY.backoff, ARG.brand) == 0 then return 0 end
redis.call('HDEL', KEY.backoff, ARG.brand)
redis.call('ZADD', KEY.due, 'XX', now_ms(), ARG.brand)
return 1
