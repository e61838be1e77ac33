--! keys: expiry file file_index usage
--! args: expiry_member index_member
-- Forget a shared file whose blob is already deleted: its hash, its place in the sender's
-- index and in the expiry zset, and its bytes in the sender's usage. Idempotent: only the
-- call that removes the expiry entry gives the bytes back, so two processes cleaning up
-- the same file count it once. The members: account|session|file in the expiry zset,
-- session|file in the index.
if redis.call('ZREM', KEY.expiry, ARG.expiry_member) == 0 then return 0 end
local size = tonumber(redis.call('HGET', KEY.file, 'size') or '0')
redis.call('DEL', KEY.file)
redis.call('ZREM', KEY.file_index, ARG.index_member)
if size > 0 then
  redis.call('HINCRBY', KEY.usage, 'bytes', -size)
  redis.call('HINCRBY', KEY.usage, 'files', -1)
end
return 1
