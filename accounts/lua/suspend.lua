--! use common/lua/clock.lua
--! keys: account
--! args: on reason channel
-- Suspend an account (``on`` = '1') or lift its suspension ('0'). Suspending revokes every
-- token at once (the epoch moves on, as a password reset does) and tells every process on
-- ``channel``, which disconnects the account's sockets (signaling/revocations.py); lifting
-- revokes nothing and restores nothing: the person logs in again. The set of suspended
-- accounts, in another slot, follows as a step of its own (accounts/store.py). Answers 0
-- when there is no such account, 2 when it is suspended already (or, lifting, not
-- suspended), else 1: two admins at once make one decision.
if redis.call('EXISTS', KEY.account) == 0 then return 0 end
local was = redis.call('HEXISTS', KEY.account, 'suspended_at') == 1
if was == (ARG.on == '1') then return 2 end
if ARG.on == '1' then
  redis.call('HSET', KEY.account, 'suspended_at', now_ms(), 'suspended_reason', ARG.reason,
             'keep', '')
  redis.call('HINCRBY', KEY.account, 'epoch', 1)
  redis.call('PUBLISH', ARG.channel, redis.call('HGET', KEY.account, 'id'))
else
  redis.call('HDEL', KEY.account, 'suspended_at', 'suspended_reason')
end
return 1
