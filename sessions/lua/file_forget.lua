-- Forget a shared file whose blob is already deleted: its hash, its place in the sender's
-- index and in the expiry zset, and its bytes in the sender's usage. Idempotent: only the
-- call that removes the expiry entry gives the bytes back, so two processes cleaning up
-- the same file count it once.
-- KEYS: the expiry zset, the file's hash, the sender's file index, the sender's usage.
-- ARGV: the expiry member (account|session|file), the index member (session|file).
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
local size = tonumber(redis.call('HGET', KEYS[2], 'size') or '0')
redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[3], ARGV[2])
if size > 0 then
  redis.call('HINCRBY', KEYS[4], 'bytes', -size)
  redis.call('HINCRBY', KEYS[4], 'files', -1)
end
return 1
