--! keys: saving wants indexed verified all ...categories
--! args: id version intent ...flags
-- Files the expert in each category index (CATEGORIES order) as the profile of
-- ``version`` asks: open only where they asked for it and, if the category requires it,
-- are verified. Each flag is "<wanted 0/1><needs verification 0/1><slug>", one per
-- category key. A version older than the one the indexes follow changes nothing (two saves
-- crossing: the later profile's stands). Either way the save's ``intent`` is done.
redis.call('ZREM', KEY.saving, ARG.intent)
local version = tonumber(ARG.version)
if version < tonumber(redis.call('HGET', KEY.indexed, ARG.id) or '0') then return 0 end
redis.call('HSET', KEY.indexed, ARG.id, version)
redis.call('SADD', KEY.all, ARG.id)
local wanted_slugs = {}
for i, index in ipairs(KEY.categories) do
  local flags = ARG.flags[i]
  local wanted = string.sub(flags, 1, 1) == '1'
  local needs = string.sub(flags, 2, 2) == '1'
  local slug = string.sub(flags, 3)
  if wanted then table.insert(wanted_slugs, slug) end
  if wanted and (not needs or redis.call('SISMEMBER', KEY.verified, slug) == 1) then
    redis.call('SADD', index, ARG.id)
  else
    redis.call('SREM', index, ARG.id)
  end
end
redis.call('HSET', KEY.wants, ARG.id, table.concat(wanted_slugs, ','))
return 1
