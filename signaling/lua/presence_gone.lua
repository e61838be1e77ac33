--! keys: socks proc_experts want
--! args: sid member expert
-- With its last socket gone the expert is offline, and stays so until they say
-- ``presence online`` again from a new socket (protocol §3). Answers the sockets left.
redis.call('SREM', KEY.socks, ARG.sid)
redis.call('SREM', KEY.proc_experts, ARG.member)
local left = redis.call('SCARD', KEY.socks)
if left == 0 then redis.call('HSET', KEY.want, ARG.expert, 'offline') end
return left
