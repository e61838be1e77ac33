--! keys: seen
--! args: mark
-- ``mark`` is an ISO 8601 UTC time as the scripts write it, so strings compare like times.
-- The mark only moves forward. Answers the mark.
local current = redis.call('GET', KEY.seen)
if not current or ARG.mark > current then
  redis.call('SET', KEY.seen, ARG.mark)
  return ARG.mark
end
return current
