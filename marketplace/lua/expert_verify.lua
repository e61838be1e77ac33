--! keys: expert
--! args: category
-- An admin's approval, in the expert's slot: ``category`` joins the hash's ``verified``
-- (comma separated) and the version goes one up, for the category indexes to follow
-- (marketplace/index.py). Taken again, it changes nothing. Answers the version.
local verified = redis.call('HGET', KEY.expert, 'verified') or ''
if string.find(',' .. verified .. ',', ',' .. ARG.category .. ',', 1, true) then
  return tonumber(redis.call('HGET', KEY.expert, 'version') or '0')
end
if verified ~= '' then verified = verified .. ',' end
redis.call('HSET', KEY.expert, 'verified', verified .. ARG.category)
return redis.call('HINCRBY', KEY.expert, 'version', 1)
