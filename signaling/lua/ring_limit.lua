--! keys: pair client
--! args: per_expert per_client window_ms named
-- Count one call:start of a client, or say how long to wait (ms). Fixed windows: the
-- client's rings of one expert (``pair``), and of any expert (``client``); a category or
-- brand call counts only in the second. ``named`` is '1' when an expert is named (else the
-- pair key is unused).
local function over(key, limit)
  local n = tonumber(redis.call('GET', key) or '0')
  if n >= limit then return math.max(1, redis.call('PTTL', key)) end
  return 0
end
local wait = over(KEY.client, tonumber(ARG.per_client))
if ARG.named == '1' then wait = math.max(wait, over(KEY.pair, tonumber(ARG.per_expert))) end
if wait > 0 then return wait end
local counted = {KEY.client}
if ARG.named == '1' then counted[2] = KEY.pair end
for _, key in ipairs(counted) do
  if redis.call('INCR', key) == 1 then redis.call('PEXPIRE', key, ARG.window_ms) end
end
return 0
