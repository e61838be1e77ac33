--! keys: stream
--! args: group consumer ...ids
-- Resets the idle time of the entries this consumer still owns, and returns the ones it no
-- longer owns (taken over by another worker, or acknowledged). Checking the owner and
-- claiming in one script is what keeps a slow worker from snatching back an entry that
-- another worker has rightly taken over.
local lost = {}
for _, id in ipairs(ARG.ids) do
  local p = redis.call('XPENDING', KEY.stream, ARG.group, id, id, 1)
  if p[1] ~= nil and p[1][2] == ARG.consumer then
    redis.call('XCLAIM', KEY.stream, ARG.group, ARG.consumer, 0, id, 'JUSTID')
  else
    lost[#lost + 1] = id
  end
end
return lost
