-- A failed attempt of the platform webhook: what the admin sees, and when the next is due.
-- KEYS: failing deliveries. ARGV: entry id, event id, consumer, attempts, error, delay ms.
local now = now_ms()
local next_at = now + tonumber(ARGV[6])
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode({
  event_id = ARGV[2], consumer = ARGV[3], attempts = tonumber(ARGV[4]), error = ARGV[5],
  at = now, next_at = next_at}))
return next_at
