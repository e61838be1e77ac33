--! use sessions/lua/prelude.lua
-- A participant shares a file during a call in progress. The file comes over HTTP, so no
-- socket is attached: being a participant is enough. Its bytes are already in the blob
-- store; this records them, or refuses (and the caller deletes the blob).
-- KEYS from 17: the file's hash, the sender's usage hash, the sender's rate hash, the
-- sender's file index, the expiry zset.
-- ARGV from 9: account, file id, name, size, content type, blob, url, kept ms,
-- max files per session, max bytes per session, max chat messages kept,
-- account quota bytes, account quota files, bytes the upload claimed from the rate,
-- the message for a full quota.
local account, file_id, name, size = ARGV[9], ARGV[10], ARGV[11], tonumber(ARGV[12])
local s, _, refused = in_call(account)
if refused then return refused end
local count = tonumber(s.files_shared or '0') + 1
local bytes = tonumber(s.files_bytes or '0') + size
if count > tonumber(ARGV[17]) or bytes > tonumber(ARGV[18]) then
  return {'err', 'too_large', 'this call has reached its limit of shared files'}
end
local use = redis.call('HMGET', KEYS[18], 'bytes', 'files')
if (tonumber(use[2]) or 0) + 1 > tonumber(ARGV[21])
    or (tonumber(use[1]) or 0) + size > tonumber(ARGV[20]) then
  return {'err', 'quota', ARGV[23]}
end
local now = now_ms()
local expires = now + tonumber(ARGV[16])
redis.call('HSET', K.s, 'files_shared', count, 'files_bytes', bytes)
redis.call('HSET', KEYS[17], 'name', name, 'size', size, 'content_type', ARGV[13],
           'from', account, 'blob', ARGV[14], 'shared_at', now, 'expires_at', expires)
redis.call('HINCRBY', KEYS[18], 'bytes', size)
redis.call('HINCRBY', KEYS[18], 'files', 1)
if redis.call('EXISTS', KEYS[19]) == 1 then
  -- The rate counted what the upload claimed before it arrived; count what it was.
  redis.call('HINCRBY', KEYS[19], 'bytes', size - tonumber(ARGV[22]))
end
redis.call('ZADD', KEYS[20], now, ID .. '|' .. file_id)
redis.call('ZADD', KEYS[21], expires, account .. '|' .. ID .. '|' .. file_id)
return post_chat(account, name, {file_id = file_id, name = name, size = size,
                                 content_type = ARGV[13], url = ARGV[15]}, ARGV[19])
