-- A participant shares a file during a call in progress. The file comes over HTTP, so no
-- socket is attached: being a participant is enough. KEYS[17]: the file's hash.
-- ARGV from 9: account, file id, name, size, content type, data (base64), url, kept ms,
-- max files per session, max bytes per session, max chat messages kept.
local account, name, size = ARGV[9], ARGV[11], tonumber(ARGV[12])
local s, _, refused = in_call(account)
if refused then return refused end
local count = tonumber(s.files_shared or '0') + 1
local bytes = tonumber(s.files_bytes or '0') + size
if count > tonumber(ARGV[17]) or bytes > tonumber(ARGV[18]) then
  return {'err', 'too_large', 'this call has reached its limit of shared files'}
end
redis.call('HSET', K.s, 'files_shared', count, 'files_bytes', bytes)
redis.call('HSET', KEYS[17], 'name', name, 'size', size, 'content_type', ARGV[13],
           'from', account, 'data', ARGV[14])
redis.call('PEXPIRE', KEYS[17], ARGV[16])
return post_chat(account, name, {file_id = ARGV[10], name = name, size = size,
                                 content_type = ARGV[13], url = ARGV[15]}, ARGV[19])
