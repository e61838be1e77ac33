--! keys: sockets procs
--! args: member cap now_ms
-- Admit one more socket for an account, up to ``cap`` across every process. ``sockets``:
-- the account's (zset), members '<proc>|<socket>'; those of a process without a lease in
-- ``procs`` (dead and buried) are dropped first, so a crash never leaves an account locked
-- out.
for _, member in ipairs(redis.call('ZRANGE', KEY.sockets, 0, -1)) do
  local proc = string.match(member, '^([^|]*)|')
  if not proc or not redis.call('ZSCORE', KEY.procs, proc) then
    redis.call('ZREM', KEY.sockets, member)
  end
end
if redis.call('ZCARD', KEY.sockets) >= tonumber(ARG.cap) then return 0 end
redis.call('ZADD', KEY.sockets, ARG.now_ms, ARG.member)
return 1
