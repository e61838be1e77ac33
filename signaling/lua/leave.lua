--! keys: sockets
--! args: proc
-- A socket of an account left its process (the names of enter.lua); the process unlists
-- it next. Counting (not setting) makes a connect and a disconnect of one account on one
-- process commute, whichever connection carries them first.
local n = redis.call('HINCRBY', KEY.sockets, ARG.proc, -1)
if n <= 0 then redis.call('HDEL', KEY.sockets, ARG.proc) end
return n
