-- Suspend an account (ARGV[1] = '1') or lift its suspension ('0'). Suspending revokes every
-- token at once (the epoch moves on, as a password reset does) and tells every process,
-- which disconnects the account's sockets (signaling/revocations.py); lifting revokes
-- nothing and restores nothing: the person logs in again.
-- KEYS 1 account hash, 2 set of suspended accounts. ARGV 1 '1' or '0', 2 reason, 3 channel.
-- Answers 0 when there is no such account, else 1.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local id = redis.call('HGET', KEYS[1], 'id')
if ARGV[1] == '1' then
  local t = redis.call('TIME')
  redis.call('HSET', KEYS[1], 'suspended_at', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000),
             'suspended_reason', ARGV[2], 'keep', '')
  redis.call('HINCRBY', KEYS[1], 'epoch', 1)
  redis.call('SADD', KEYS[2], id)
  redis.call('PUBLISH', ARGV[3], id)
else
  redis.call('HDEL', KEYS[1], 'suspended_at', 'suspended_reason')
  redis.call('SREM', KEYS[2], id)
end
return 1
