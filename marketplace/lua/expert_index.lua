--! keys: saving indexed all ...categories
--! args: id version intent ...flags
-- Files the expert in each category index (CATEGORIES order) as their profile and
-- verifications of ``version`` have it: each flag is "<open 0/1><slug>", one per category
-- key, open where the profile asks and, if the category requires it, an admin verified
-- them (worked out from the expert's hash, in their slot: marketplace/index.py). A version
-- older than the one the indexes follow changes nothing (two saves crossing: the later
-- one stands). Either way the ``intent`` is done.
redis.call('ZREM', KEY.saving, ARG.intent)
local version = tonumber(ARG.version)
if version < tonumber(redis.call('HGET', KEY.indexed, ARG.id) or '0') then return 0 end
redis.call('HSET', KEY.indexed, ARG.id, version)
redis.call('SADD', KEY.all, ARG.id)
for i, index in ipairs(KEY.categories) do
  if string.sub(ARG.flags[i], 1, 1) == '1' then
    redis.call('SADD', index, ARG.id)
  else
    redis.call('SREM', index, ARG.id)
  end
end
return 1
