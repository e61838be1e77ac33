-- The password was right: the email-and-IP count starts again, and the IP's count forgets
-- this attempt (it was counted as a failure before the check). KEYS: pair key, IP key.
redis.call('DEL', KEYS[1])
local n = tonumber(redis.call('HGET', KEYS[2], 'n') or '0')
if n > 0 then redis.call('HINCRBY', KEYS[2], 'n', -1) end
return 1
