--! use common/lua/clock.lua
-- The head was delivered (or has nowhere to go): drop it, and the brand is due again at
-- once if more events wait. KEYS: due brands, the brand's queue, attempts, backoff marks,
-- failures. ARGV: brand, the element delivered.
if redis.call('LINDEX', KEYS[2], 0) == ARGV[2] then redis.call('LPOP', KEYS[2]) end
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('HDEL', KEYS[5], ARGV[1])
if redis.call('LLEN', KEYS[2]) > 0 then
  redis.call('ZADD', KEYS[1], now_ms(), ARGV[1])
else
  redis.call('ZREM', KEYS[1], ARGV[1])
end
return 1
