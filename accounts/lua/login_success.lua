--! keys: pair ip
-- The password was right: the email-and-IP count starts again, and the IP's count forgets
-- this attempt (it was counted as a failure before the check).
redis.call('DEL', KEY.pair)
local n = tonumber(redis.call('HGET', KEY.ip, 'n') or '0')
if n > 0 then redis.call('HINCRBY', KEY.ip, 'n', -1) end
return 1
