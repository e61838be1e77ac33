--! keys: index versions
--! args: id version open
-- Files the expert in one index (a category's, or that of every expert with a profile) as
-- their hash of ``version`` has it: ``open`` '1' or '0' (worked out from the hash, in their
-- slot: marketplace/index.py). ``versions`` (expert -> the version this index follows)
-- orders two changes crossing each other: an older version changes nothing, the later
-- one stands. Answers 1 when it was followed.
if tonumber(ARG.version) < tonumber(redis.call('HGET', KEY.versions, ARG.id) or '0') then
  return 0
end
redis.call('HSET', KEY.versions, ARG.id, ARG.version)
if ARG.open == '1' then
  redis.call('SADD', KEY.index, ARG.id)
else
  redis.call('SREM', KEY.index, ARG.id)
end
return 1
