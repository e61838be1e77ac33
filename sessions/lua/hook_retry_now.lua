-- "Retry now" for a brand waiting out its backoff: due at once. A brand that is claimed
-- (an attempt under way) or already due has no backoff mark and is left alone (0), so an
-- event is never attempted twice at once and a second call changes nothing.
-- KEYS: due brands, backoff marks. ARGV: brand.
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return 0 end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[1], 'XX', now_ms(), ARGV[1])
return 1
