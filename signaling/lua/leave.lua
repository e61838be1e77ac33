-- A socket of an account left its process. Same KEYS and ARGV as enter.lua. Counting
-- (not setting) makes a connect and a disconnect of one account on one process commute,
-- whichever connection carries them first.
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
if n <= 0 then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('SREM', KEYS[2], ARGV[2])
end
return n
