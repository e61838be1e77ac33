--! use common/lua/clock.lua
--! keys: account
--! args: jti expires_ms channel
-- Revoke one token: its id is written into the account's own hash (``rv:<jti>`` -> expiry
-- ms), where the token check reads it in the same HMGET that loads the account. Entries of
-- tokens that have expired anyway are dropped here, so the hash stays small. Every process
-- hears of it on ``channel``.
if redis.call('EXISTS', KEY.account) == 0 then return 0 end
local now = now_ms()
local fields = redis.call('HGETALL', KEY.account)
for i = 1, #fields, 2 do
  if string.sub(fields[i], 1, 3) == 'rv:' and tonumber(fields[i + 1]) < now then
    redis.call('HDEL', KEY.account, fields[i])
  end
end
redis.call('HSET', KEY.account, 'rv:' .. ARG.jti, ARG.expires_ms)
redis.call('PUBLISH', ARG.channel, redis.call('HGET', KEY.account, 'id'))
return 1
