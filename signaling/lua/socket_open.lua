-- Admit one more socket for an account, up to a cap across every process. Members are
-- '<proc>|<socket>'; those of a process without a lease (dead and buried) are dropped
-- first, so a crash never leaves an account locked out.
-- KEYS: the account's sockets (zset), process leases (zset). ARGV: member, cap, now (ms).
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local proc = string.match(member, '^([^|]*)|')
  if not proc or not redis.call('ZSCORE', KEYS[2], proc) then
    redis.call('ZREM', KEYS[1], member)
  end
end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return 1
