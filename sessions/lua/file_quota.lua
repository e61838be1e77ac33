-- Whether one more file of ``bytes`` would take an account past its quota (``usage``, its
-- usage hash ``bytes files``): asked before an upload (file_admit.lua) and when it is kept
-- (file_keep.lua).
local function over_quota(usage, bytes, quota_bytes, quota_files)
  local use = redis.call('HMGET', usage, 'bytes', 'files')
  return (tonumber(use[2]) or 0) + 1 > tonumber(quota_files)
      or (tonumber(use[1]) or 0) + bytes > tonumber(quota_bytes)
end
