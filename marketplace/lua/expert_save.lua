--! keys: expert wants verified all ...categories
--! args: id profile display_name ...flags
-- Saves a profile and files the expert in each category index (CATEGORIES order), open
-- only where they asked for it and, if the category requires it, are verified. Each flag
-- is "<wanted 0/1><needs verification 0/1><slug>", one per category key.
redis.call('HSET', KEY.expert, 'profile', ARG.profile, 'display_name', ARG.display_name)
redis.call('SADD', KEY.all, ARG.id)
redis.call('DEL', KEY.wants)
for i, index in ipairs(KEY.categories) do
  local flags = ARG.flags[i]
  local wanted = string.sub(flags, 1, 1) == '1'
  local needs = string.sub(flags, 2, 2) == '1'
  local slug = string.sub(flags, 3)
  if wanted then
    redis.call('SADD', KEY.wants, slug)
  end
  if wanted and (not needs or redis.call('SISMEMBER', KEY.verified, slug) == 1) then
    redis.call('SADD', index, ARG.id)
  else
    redis.call('SREM', index, ARG.id)
  end
end
return 1
