-- "Retry now" for a failing platform delivery: its next attempt is due at once. Only the
-- worker that holds the entry attempts it, so this can hurry an attempt, never add one;
-- a second call finds it already due and changes nothing (0).
-- KEYS: failing deliveries. ARGV: entry id.
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local record = cjson.decode(raw)
local now = now_ms()
if tonumber(record.next_at) <= now then return 0 end
record.next_at = now
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(record))
return 1
