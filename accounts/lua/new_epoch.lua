-- A new password, and every token issued before it revoked at once: the epoch moves on
-- (tokens carry the epoch they were issued in). ``keep`` names the one token that stays
-- valid (the one that changed the password), or is empty (a reset keeps none). Single
-- revocations are obsolete after this and are dropped.
-- KEYS: account hash. ARGV: password hash, kept jti or '', channel. Answers the new epoch.
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local fields = redis.call('HKEYS', KEYS[1])
for _, name in ipairs(fields) do
  if string.sub(name, 1, 3) == 'rv:' then redis.call('HDEL', KEYS[1], name) end
end
local epoch = redis.call('HINCRBY', KEYS[1], 'epoch', 1)
redis.call('HSET', KEYS[1], 'pw', ARGV[1], 'keep', ARGV[2])
redis.call('PUBLISH', ARGV[3], redis.call('HGET', KEYS[1], 'id'))
return epoch
