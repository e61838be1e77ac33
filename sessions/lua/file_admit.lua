-- Before an upload's first byte is read: may this account send a file now?
-- KEYS: the account's usage hash, its rate hash. ARGV: bytes the upload claims, quota
-- bytes, quota files, rate bytes, rate files, rate window ms.
-- The storage quota is only checked here (share.lua enforces it when the file is stored);
-- the rate is counted here, so uploads sent in parallel are bounded by it too.
local claim = tonumber(ARGV[1])
local use = redis.call('HMGET', KEYS[1], 'bytes', 'files')
if (tonumber(use[2]) or 0) + 1 > tonumber(ARGV[3])
    or (tonumber(use[1]) or 0) + claim > tonumber(ARGV[2]) then
  return {'err', 'quota'}
end
local rate = redis.call('HMGET', KEYS[2], 'bytes', 'files')
if (tonumber(rate[2]) or 0) + 1 > tonumber(ARGV[5])
    or (tonumber(rate[1]) or 0) + claim > tonumber(ARGV[4]) then
  local left = redis.call('PTTL', KEYS[2])
  return {'err', 'rate', left > 0 and left or tonumber(ARGV[6])}
end
redis.call('HINCRBY', KEYS[2], 'bytes', claim)
redis.call('HINCRBY', KEYS[2], 'files', 1)
if redis.call('PTTL', KEYS[2]) < 0 then redis.call('PEXPIRE', KEYS[2], ARGV[6]) end
return {'ok'}
