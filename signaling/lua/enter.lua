-- A socket of an account connected on a process. KEYS: hc:sockets:<account> (hash
-- process -> sockets), hc:proc:<proc>:accounts (what to clean when the process dies).
-- ARGV: proc, account. Answers the process's socket count for the account: 1 means
-- the account just arrived on this process, and other processes must hear of it.
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('SADD', KEYS[2], ARGV[2])
return n
