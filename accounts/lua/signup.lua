-- Count a sign-up from an IP in a fixed one-hour window; answer 0, or the ms left to wait.
-- KEYS: the IP's counter. ARGV: the limit, the window (ms).
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if n > tonumber(ARGV[1]) then return math.max(1, redis.call('PTTL', KEYS[1])) end
return 0
