--! use common/lua/clock.lua
--! keys: email account verified_set
--! args: id email display_name role pw language verified
-- A new account: the email claimed (SET NX) and the hash written in one step, so that two
-- sign-ups with one email can never both succeed. ``pw``: the password's hash;
-- ``verified``: 1 or 0 (an admin made by the command line needs no mail), and a verified
-- account joins ``verified_set``.
if redis.call('SET', KEY.email, ARG.id, 'NX') == false then return 0 end
local now = now_ms()
redis.call('HSET', KEY.account, 'id', ARG.id, 'email', ARG.email,
           'display_name', ARG.display_name, 'role', ARG.role, 'pw', ARG.pw,
           'created_at', now, 'language', ARG.language, 'epoch', 0)
if ARG.verified == '1' then
  redis.call('HSET', KEY.account, 'verified_at', now)
  redis.call('SADD', KEY.verified_set, ARG.id)
end
return now
