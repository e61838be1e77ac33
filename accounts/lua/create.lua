--! use common/lua/clock.lua
--! keys: account
--! args: id email display_name role pw language verified pending_ms
-- Step 2 of a sign-up (accounts/store.py): the account's hash, once its email is claimed.
-- It expires after ``pending_ms`` unless the sign-up ends (PERSIST), so that a sign-up
-- stopped half-way leaves nothing behind. Answers the creation time, or 0 when the hash
-- exists already (ids are new: only a second run of the same step finds it).
if redis.call('EXISTS', KEY.account) == 1 then return 0 end
local now = now_ms()
redis.call('HSET', KEY.account, 'id', ARG.id, 'email', ARG.email,
           'display_name', ARG.display_name, 'role', ARG.role, 'pw', ARG.pw,
           'created_at', now, 'language', ARG.language, 'epoch', 0)
if ARG.verified == '1' then redis.call('HSET', KEY.account, 'verified_at', now) end
redis.call('PEXPIRE', KEY.account, ARG.pending_ms)
return now
