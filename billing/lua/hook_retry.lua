--! use common/lua/clock.lua
-- A failed attempt: this brand (and only this brand) waits ARGV[2] ms before its next try.
-- KEYS: due brands, attempts. ARGV: brand, delay ms.
local attempts = redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
redis.call('ZADD', KEYS[1], now_ms() + tonumber(ARGV[2]), ARGV[1])
return attempts
