--! use common/lua/clock.lua
--! keys: failing
--! args: entry
-- "Retry now" for a failing platform delivery: its next attempt is due at once. Only the
-- worker that holds the entry attempts it, so this can hurry an attempt, never add one;
-- a second call finds it already due and changes nothing (0).
local raw = redis.call('HGET', KEY.failing, ARG.entry)
if not raw then return 0 end
local record = cjson.decode(raw)
local now = now_ms()
if tonumber(record.next_at) <= now then return 0 end
record.next_at = now
redis.call('HSET', KEY.failing, ARG.entry, cjson.encode(record))
return 1
