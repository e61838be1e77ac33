--! use common/lua/clock.lua
--! keys: pair ip
--! args: free_pair free_ip base_ms cap_pair_ms cap_ip_ms ttl_pair_ms ttl_ip_ms
-- Admit one login attempt, or say how long to wait (ms). Counted BEFORE the password is
-- checked, so parallel guesses cannot all pass the check before any failure is counted.
-- Each key (``pair``: the email-and-IP's, ``ip``: the IP's) is a hash {n = attempts not
-- yet forgiven, at = ms of the last one}; after ``free`` attempts, each further one waits
-- base * 2^(n - free) ms (capped) after the last.
local now = now_ms()

local function wait(key, free, cap)
  local v = redis.call('HMGET', key, 'n', 'at')
  local n = tonumber(v[1] or '0')
  if n < free then return 0 end
  local delay = math.min(cap, tonumber(ARG.base_ms) * 2 ^ math.min(n - free, 40))
  return math.max(0, tonumber(v[2] or '0') + delay - now)
end

local left = math.max(wait(KEY.pair, tonumber(ARG.free_pair), tonumber(ARG.cap_pair_ms)),
                      wait(KEY.ip, tonumber(ARG.free_ip), tonumber(ARG.cap_ip_ms)))
if left > 0 then return math.ceil(left) end
for _, counted in ipairs({{KEY.pair, ARG.ttl_pair_ms}, {KEY.ip, ARG.ttl_ip_ms}}) do
  redis.call('HINCRBY', counted[1], 'n', 1)
  redis.call('HSET', counted[1], 'at', now)
  redis.call('PEXPIRE', counted[1], counted[2])
end
return 0
