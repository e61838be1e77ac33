--! keys: account
--! args: pw keep channel
-- A new password (``pw``, its hash), and every token issued before it revoked at once: the
-- epoch moves on (tokens carry the epoch they were issued in). ``keep`` names the one token
-- that stays valid (the one that changed the password), or is empty (a reset keeps none).
-- Single revocations are obsolete after this and are dropped. Every process hears of it on
-- ``channel``. Answers the new epoch.
if redis.call('EXISTS', KEY.account) == 0 then return -1 end
local fields = redis.call('HKEYS', KEY.account)
for _, name in ipairs(fields) do
  if string.sub(name, 1, 3) == 'rv:' then redis.call('HDEL', KEY.account, name) end
end
local epoch = redis.call('HINCRBY', KEY.account, 'epoch', 1)
redis.call('HSET', KEY.account, 'pw', ARG.pw, 'keep', ARG.keep)
redis.call('PUBLISH', ARG.channel, redis.call('HGET', KEY.account, 'id'))
return epoch
