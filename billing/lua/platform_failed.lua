--! use common/lua/clock.lua
--! keys: failing
--! args: entry event consumer attempts error delay_ms
-- A failed attempt of the platform webhook: what the admin sees, and when the next is due.
local now = now_ms()
local next_at = now + tonumber(ARG.delay_ms)
redis.call('HSET', KEY.failing, ARG.entry, cjson.encode({
  event_id = ARG.event, consumer = ARG.consumer, attempts = tonumber(ARG.attempts),
  error = ARG.error, at = now, next_at = next_at}))
return next_at
