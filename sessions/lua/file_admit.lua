--! use sessions/lua/file_quota.lua
--! keys: usage rate
--! args: claim quota_bytes quota_files rate_bytes rate_files window_ms
-- Before an upload's first byte is read: may this account send a file now? ``usage`` and
-- ``rate`` are the account's usage and rate hashes; ``claim`` the bytes the upload claims.
-- The storage quota is only checked here (share.lua enforces it when the file is stored);
-- the rate is counted here, so uploads sent in parallel are bounded by it too.
local claim = tonumber(ARG.claim)
if over_quota(KEY.usage, claim, ARG.quota_bytes, ARG.quota_files) then return {'err', 'quota'} end
local rate = redis.call('HMGET', KEY.rate, 'bytes', 'files')
if (tonumber(rate[2]) or 0) + 1 > tonumber(ARG.rate_files)
    or (tonumber(rate[1]) or 0) + claim > tonumber(ARG.rate_bytes) then
  local left = redis.call('PTTL', KEY.rate)
  return {'err', 'rate', left > 0 and left or tonumber(ARG.window_ms)}
end
redis.call('HINCRBY', KEY.rate, 'bytes', claim)
redis.call('HINCRBY', KEY.rate, 'files', 1)
if redis.call('PTTL', KEY.rate) < 0 then redis.call('PEXPIRE', KEY.rate, ARG.window_ms) end
return {'ok'}
