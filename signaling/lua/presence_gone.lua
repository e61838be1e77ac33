--! keys: socks want
--! args: sid
-- With its last socket gone the expert is offline, and stays so until they say
-- ``presence online`` again from a new socket (protocol §3). Answers the sockets left.
redis.call('SREM', KEY.socks, ARG.sid)
local left = redis.call('SCARD', KEY.socks)
if left == 0 then redis.call('SET', KEY.want, 'offline') end
return left
