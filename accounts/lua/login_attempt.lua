-- Admit one login attempt, or say how long to wait (ms). Counted BEFORE the password is
-- checked, so parallel guesses cannot all pass the check before any failure is counted.
-- Each key is a hash {n = attempts not yet forgiven, at = ms of the last one}; after
-- `free` attempts, each further one waits base * 2^(n - free) ms (capped) after the last.
-- KEYS: the email-and-IP key, the IP key.
-- ARGV: free (pair), free (IP), base ms, cap ms (pair), cap ms (IP), ttl ms (pair), ttl ms (IP)
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local function wait(key, free, cap)
  local v = redis.call('HMGET', key, 'n', 'at')
  local n = tonumber(v[1] or '0')
  if n < free then return 0 end
  local delay = math.min(cap, tonumber(ARGV[3]) * 2 ^ math.min(n - free, 40))
  return math.max(0, tonumber(v[2] or '0') + delay - now)
end

local left = math.max(wait(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[4])),
                      wait(KEYS[2], tonumber(ARGV[2]), tonumber(ARGV[5])))
if left > 0 then return math.ceil(left) end
for i, key in ipairs(KEYS) do
  redis.call('HINCRBY', key, 'n', 1)
  redis.call('HSET', key, 'at', now)
  redis.call('PEXPIRE', key, ARGV[5 + i])
end
return 0
