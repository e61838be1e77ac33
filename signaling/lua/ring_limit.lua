-- Count one call:start of a client, or say how long to wait (ms). Fixed windows: the
-- client's rings of one expert, and of any expert (a category or brand call counts only
-- in the second). KEYS: per-expert counter ('' key unused when no expert), per-client.
-- ARGV: limit per expert, limit per client, window ms, '1' when an expert is named.
local function over(key, limit)
  local n = tonumber(redis.call('GET', key) or '0')
  if n >= limit then return math.max(1, redis.call('PTTL', key)) end
  return 0
end
local wait = over(KEYS[2], tonumber(ARGV[2]))
if ARGV[4] == '1' then wait = math.max(wait, over(KEYS[1], tonumber(ARGV[1]))) end
if wait > 0 then return wait end
local counted = {KEYS[2]}
if ARGV[4] == '1' then counted[2] = KEYS[1] end
for _, key in ipairs(counted) do
  if redis.call('INCR', key) == 1 then redis.call('PEXPIRE', key, ARGV[3]) end
end
return 0
