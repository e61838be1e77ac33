--! use common/lua/clock.lua
--! use sessions/lua/file_quota.lua
--! keys: file usage rate file_index expiry
--! args: account session file_id name size content_type blob kept_ms quota_bytes quota_files claimed
-- The first step of sharing a file (sessions/sharing.py), in the home slot: the account
-- keeps the file, within its quota. Its record, its place in the sender's index, its bytes
-- in the sender's usage and its expiry are written together, so that whatever happens
-- next (the call's own step refuses it, the process stops) the file is deleted when it
-- expires, and its bytes leave the quota then. ``claimed``: the bytes the upload claimed
-- from the rate (file_admit.lua); the rate now counts what it was.
local size = tonumber(ARG.size)
if over_quota(KEY.usage, size, ARG.quota_bytes, ARG.quota_files) then return {'err', 'quota'} end
local now = now_ms()
local expires = now + tonumber(ARG.kept_ms)
redis.call('HSET', KEY.file, 'name', ARG.name, 'size', size, 'content_type', ARG.content_type,
           'from', ARG.account, 'blob', ARG.blob, 'shared_at', now, 'expires_at', expires)
redis.call('HINCRBY', KEY.usage, 'bytes', size)
redis.call('HINCRBY', KEY.usage, 'files', 1)
if redis.call('EXISTS', KEY.rate) == 1 then
  redis.call('HINCRBY', KEY.rate, 'bytes', size - tonumber(ARG.claimed))
end
redis.call('ZADD', KEY.file_index, now, ARG.session .. '|' .. ARG.file_id)
redis.call('ZADD', KEY.expiry, expires, ARG.account .. '|' .. ARG.session .. '|' .. ARG.file_id)
return {'ok'}
