--! keys: ...markers
--! args: review_prefix
-- The rating of each session's review, in the order of the sessions' markers: '' when the
-- session has no review or its review is hidden. A read, in one round trip where a client
-- would need two (the marker names the review). ``review_prefix`` comes from
-- marketplace/keys.py, so the review key's layout is written in one place.
local out = {}
for i, marker in ipairs(KEY.markers) do
  local id = redis.call('GET', marker)
  local rating = ''
  if id then
    local r = redis.call('HMGET', ARG.review_prefix .. id, 'rating', 'hidden')
    if r[1] and r[2] ~= '1' then rating = r[1] end
  end
  out[i] = rating
end
return out
