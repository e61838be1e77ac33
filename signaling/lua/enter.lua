--! keys: sockets watchers
--! args: proc
-- A socket of an account connected on a process, which listed it first
-- (signaling/directory.py). ``sockets``: the account's hash process -> sockets;
-- ``watchers``: the processes that read where the account's sockets are lately, and may
-- trust what they read. Answers the process's socket count for the account, then, when
-- it is 1 (the account just arrived on this process), the watchers: they must forget
-- what they read.
local n = redis.call('HINCRBY', KEY.sockets, ARG.proc, 1)
if n ~= 1 then return {n} end
local answer = redis.call('SMEMBERS', KEY.watchers)
table.insert(answer, 1, n)
return answer
