--! keys: token account
--! args: account_id token_value
-- The old token goes in the same step as the new one comes, so no moment has two valid
-- feed URLs.
local old = redis.call('GET', KEY.account)
if old then redis.call('DEL', 'hc:{0}:calendar:token:' .. old) end
redis.call('SET', KEY.token, ARG.account_id)
redis.call('SET', KEY.account, ARG.token_value)
return old or ''
