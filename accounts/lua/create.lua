-- A new account: the email claimed (SET NX) and the hash written in one step, so that two
-- sign-ups with one email can never both succeed.
-- KEYS: email key, account hash. ARGV: id, email, display name, role, password hash,
-- language, verified (1 or 0: an admin made by the command line needs no mail), verified set.
if redis.call('SET', KEYS[1], ARGV[1], 'NX') == false then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[2], 'id', ARGV[1], 'email', ARGV[2], 'display_name', ARGV[3],
           'role', ARGV[4], 'pw', ARGV[5], 'created_at', now, 'language', ARGV[6],
           'epoch', 0)
if ARGV[7] == '1' then
  redis.call('HSET', KEYS[2], 'verified_at', now)
  redis.call('SADD', KEYS[3], ARGV[1])
end
return now
