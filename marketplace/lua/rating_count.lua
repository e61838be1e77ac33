--! keys: expert counted
--! args: review version rating
-- The expert's rating (``rating_sum`` and ``reviews`` of their hash) catches up with one
-- review at ``version``: ``rating`` 0 when it is hidden. ``counted`` (review ->
-- "<version>|<rating counted>") makes it idempotent and ordered: a version already
-- counted, or older, changes nothing, and so does an expert erased meanwhile. Answers 1
-- when the version was counted.
if redis.call('EXISTS', KEY.expert) == 0 then return 0 end
local was = redis.call('HGET', KEY.counted, ARG.review)
local old_version, old_rating = 0, 0
if was then
  local bar = string.find(was, '|', 1, true)
  old_version = tonumber(string.sub(was, 1, bar - 1))
  old_rating = tonumber(string.sub(was, bar + 1))
end
if old_version >= tonumber(ARG.version) then return 0 end
local rating = tonumber(ARG.rating)
redis.call('HSET', KEY.counted, ARG.review, ARG.version .. '|' .. ARG.rating)
if rating ~= old_rating then
  redis.call('HINCRBY', KEY.expert, 'rating_sum', rating - old_rating)
  local shown = (rating > 0 and 1 or 0) - (old_rating > 0 and 1 or 0)
  if shown ~= 0 then redis.call('HINCRBY', KEY.expert, 'reviews', shown) end
end
return 1
