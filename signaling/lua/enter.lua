--! keys: sockets proc_accounts
--! args: proc account
-- A socket of an account connected on a process. ``sockets``: hc:sockets:<account> (hash
-- process -> sockets); ``proc_accounts``: hc:proc:<proc>:accounts (what to clean when the
-- process dies). Answers the process's socket count for the account: 1 means the account
-- just arrived on this process, and other processes must hear of it.
local n = redis.call('HINCRBY', KEY.sockets, ARG.proc, 1)
redis.call('SADD', KEY.proc_accounts, ARG.account)
return n
