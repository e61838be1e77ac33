--! use common/lua/clock.lua
-- Claim a brand whose next delivery is due: its queue's head, for ARGV[2] ms, so that one
-- worker at a time delivers a brand's events (in order) while others take other brands.
-- Clearing the backoff mark keeps "retry now" off a brand whose attempt is under way.
-- KEYS: due brands, the brand's queue, attempts, backoff marks. ARGV: brand, lease ms.
local now = now_ms()
local due = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not due or tonumber(due) > now then return false end
local head = redis.call('LINDEX', KEYS[2], 0)
if not head then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return false
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
return {head, tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '0')}
