--! use common/lua/clock.lua
--! keys: failing
--! args: entry
-- How many ms the worker still waits before its next attempt at an entry (0: now).
-- "Retry now" moves next_at to the present, so the waiting worker goes at once.
local raw = redis.call('HGET', KEY.failing, ARG.entry)
if not raw then return 0 end
local left = tonumber(cjson.decode(raw).next_at) - now_ms()
if left < 0 then return 0 end
return left
