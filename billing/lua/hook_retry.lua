--! use common/lua/clock.lua
-- A failed attempt: this brand (and only this brand) waits ARGV[2] ms before its next try.
-- The backoff mark tells "retry now" that no attempt is under way; the failure record is
-- what the admin console shows.
-- KEYS: due brands, attempts, backoff marks, failures. ARGV: brand, delay ms, error, event id.
local now = now_ms()
local attempts = redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
local next_at = now + tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], next_at, ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], next_at)
redis.call('HSET', KEYS[4], ARGV[1], cjson.encode({
  event_id = ARGV[4], attempts = attempts, error = ARGV[3], at = now, next_at = next_at}))
return attempts
