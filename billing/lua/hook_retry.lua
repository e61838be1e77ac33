--! use common/lua/clock.lua
--! keys: due attempts backoff failures
--! args: brand delay_ms error event_id
-- A failed attempt: this brand (and only this brand) waits ``delay_ms`` before its next
-- try. The backoff mark tells "retry now" that no attempt is under way; the failure record
-- is what the admin console shows.
local now = now_ms()
local attempts = redis.call('HINCRBY', KEY.attempts, ARG.brand, 1)
local next_at = now + tonumber(ARG.delay_ms)
redis.call('ZADD', KEY.due, next_at, ARG.brand)
redis.call('HSET', KEY.backoff, ARG.brand, next_at)
redis.call('HSET', KEY.failures, ARG.brand, cjson.encode({
  event_id = ARG.event_id, attempts = attempts, error = ARG.error, at = now,
  next_at = next_at}))
return attempts
