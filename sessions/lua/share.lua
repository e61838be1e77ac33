--! use sessions/lua/prelude.lua
--! args: account file_id name size content_type url max_files max_bytes kept
-- The second step of sharing a file during a call in progress, in the session's slot: the
-- call counts it against its own limits and posts it in the chat. The file comes over
-- HTTP, so no socket is attached: being a participant is enough. The account already
-- keeps it (file_keep.lua); a refusal here has the caller forget it and delete its bytes.
-- Arguments: the file; ``max_files`` and ``max_bytes`` per session; ``kept``, the chat
-- messages kept.
local account, file_id, name, size = ARG.account, ARG.file_id, ARG.name, tonumber(ARG.size)
local s, _, refused = in_call(account)
if refused then return refused end
local count = tonumber(s.files_shared or '0') + 1
local bytes = tonumber(s.files_bytes or '0') + size
if count > tonumber(ARG.max_files) or bytes > tonumber(ARG.max_bytes) then
  return {'err', 'too_large', 'this call has reached its limit of shared files'}
end
redis.call('HSET', KEY.session, 'files_shared', count, 'files_bytes', bytes)
return post_chat(account, name, {file_id = file_id, name = name, size = size,
                                 content_type = ARG.content_type, url = ARG.url}, ARG.kept)
