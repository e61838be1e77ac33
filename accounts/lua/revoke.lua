-- Revoke one token: its id is written into the account's own hash (``rv:<jti>`` -> expiry
-- ms), where the token check reads it in the same HMGET that loads the account. Entries of
-- tokens that have expired anyway are dropped here, so the hash stays small.
-- KEYS: account hash. ARGV: jti, token expiry (ms), channel to tell every process.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  if string.sub(fields[i], 1, 3) == 'rv:' and tonumber(fields[i + 1]) < now then
    redis.call('HDEL', KEYS[1], fields[i])
  end
end
redis.call('HSET', KEYS[1], 'rv:' .. ARGV[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], redis.call('HGET', KEYS[1], 'id'))
return 1
