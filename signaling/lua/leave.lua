--! keys: sockets proc_accounts
--! args: proc account
-- A socket of an account left its process (the names of enter.lua). Counting (not
-- setting) makes a connect and a disconnect of one account on one process commute,
-- whichever connection carries them first.
local n = redis.call('HINCRBY', KEY.sockets, ARG.proc, -1)
if n <= 0 then
  redis.call('HDEL', KEY.sockets, ARG.proc)
  redis.call('SREM', KEY.proc_accounts, ARG.account)
end
return n
