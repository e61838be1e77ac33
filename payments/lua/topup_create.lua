--! use sessions/lua/wallet.lua
-- A new top-up, pending, indexed under its wallet.
-- KEYS: 1 top-up hash, 2 the wallet's top-ups zset
-- ARGV: 1 top-up id, 2 owner, 3 amount (cents), 4 currency
local now = now_ms()
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'owner', ARGV[2], 'amount', ARGV[3],
           'currency', ARGV[4], 'status', 'pending', 'intent', '', 'refunded', 0,
           'created_at', iso(now))
redis.call('ZADD', KEYS[2], now, ARGV[1])
return now
