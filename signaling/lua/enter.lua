--! keys: sockets proc_accounts watchers
--! args: proc account
-- A socket of an account connected on a process. ``sockets``: hc:sockets:<account> (hash
-- process -> sockets); ``proc_accounts``: hc:proc:<proc>:accounts (what to clean when the
-- process dies); ``watchers``: the processes that read where the account's sockets are
-- lately, and may trust what they read (signaling/directory.py). Answers the process's
-- socket count for the account, then, when it is 1 (the account just arrived on this
-- process), the watchers: they must forget what they read.
local n = redis.call('HINCRBY', KEY.sockets, ARG.proc, 1)
redis.call('SADD', KEY.proc_accounts, ARG.account)
if n ~= 1 then return {n} end
local answer = redis.call('SMEMBERS', KEY.watchers)
table.insert(answer, 1, n)
return answer
