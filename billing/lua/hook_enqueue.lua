--! use common/lua/clock.lua
-- A brand's billing event moves from the brand group's pending list to the brand's own
-- delivery queue, exactly once: only the XACK that acknowledges it (1) queues it.
-- KEYS: billing stream, the brand's queue, due brands. ARGV: group, entry id, element, brand.
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[3])
redis.call('ZADD', KEYS[3], 'NX', now_ms(), ARGV[4])
return 1
