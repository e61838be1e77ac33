--! keys: counter
--! args: limit window_ms
-- Count a sign-up from an IP (``counter`` is the IP's) in a fixed window; answer 0, or the
-- ms left to wait.
local n = redis.call('INCR', KEY.counter)
if n == 1 then redis.call('PEXPIRE', KEY.counter, ARG.window_ms) end
if n > tonumber(ARG.limit) then return math.max(1, redis.call('PTTL', KEY.counter)) end
return 0
