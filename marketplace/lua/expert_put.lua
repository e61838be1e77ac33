--! keys: expert
--! args: profile display_name
-- A profile saved, in the expert's slot: the first step of a save (marketplace/index.py).
-- Answers its version, one more than the last, which the category indexes then follow.
redis.call('HSET', KEY.expert, 'profile', ARG.profile, 'display_name', ARG.display_name)
return redis.call('HINCRBY', KEY.expert, 'version', 1)
