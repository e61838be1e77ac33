--! use sessions/lua/prelude.lua
--! keys: file usage rate file_index expiry
--! args: account file_id name size content_type blob url kept_ms max_files max_bytes kept quota_bytes quota_files claimed quota_message
-- A participant shares a file during a call in progress. The file comes over HTTP, so no
-- socket is attached: being a participant is enough. Its bytes are already in the blob
-- store; this records them, or refuses (and the caller deletes the blob).
-- Keys: the file's hash, the sender's usage hash, rate hash and file index, the expiry
-- zset. Arguments: the file; ``kept_ms``, how long it is kept; ``max_files`` and
-- ``max_bytes`` per session; ``kept``, the chat messages kept; the account's quota;
-- ``claimed``, the bytes the upload claimed from the rate; the message for a full quota.
local account, file_id, name, size = ARG.account, ARG.file_id, ARG.name, tonumber(ARG.size)
local s, _, refused = in_call(account)
if refused then return refused end
local count = tonumber(s.files_shared or '0') + 1
local bytes = tonumber(s.files_bytes or '0') + size
if count > tonumber(ARG.max_files) or bytes > tonumber(ARG.max_bytes) then
  return {'err', 'too_large', 'this call has reached its limit of shared files'}
end
local use = redis.call('HMGET', KEY.usage, 'bytes', 'files')
if (tonumber(use[2]) or 0) + 1 > tonumber(ARG.quota_files)
    or (tonumber(use[1]) or 0) + size > tonumber(ARG.quota_bytes) then
  return {'err', 'quota', ARG.quota_message}
end
local now = now_ms()
local expires = now + tonumber(ARG.kept_ms)
redis.call('HSET', KEY.session, 'files_shared', count, 'files_bytes', bytes)
redis.call('HSET', KEY.file, 'name', name, 'size', size, 'content_type', ARG.content_type,
           'from', account, 'blob', ARG.blob, 'shared_at', now, 'expires_at', expires)
redis.call('HINCRBY', KEY.usage, 'bytes', size)
redis.call('HINCRBY', KEY.usage, 'files', 1)
if redis.call('EXISTS', KEY.rate) == 1 then
  -- The rate counted what the upload claimed before it arrived; count what it was.
  redis.call('HINCRBY', KEY.rate, 'bytes', size - tonumber(ARG.claimed))
end
redis.call('ZADD', KEY.file_index, now, ID .. '|' .. file_id)
redis.call('ZADD', KEY.expiry, expires, account .. '|' .. ID .. '|' .. file_id)
return post_chat(account, name, {file_id = file_id, name = name, size = size,
                                 content_type = ARG.content_type, url = ARG.url}, ARG.kept)
