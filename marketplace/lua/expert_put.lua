--! keys: expert
--! args: profile display_name
-- A profile saved, in the expert's slot: the first step of a save (marketplace/index.py).
-- Answers its version, one more than the last, which the category indexes then follow,
-- and the categories an admin verified the expert in (comma separated).
redis.call('HSET', KEY.expert, 'profile', ARG.profile, 'display_name', ARG.display_name)
return {redis.call('HINCRBY', KEY.expert, 'version', 1),
        redis.call('HGET', KEY.expert, 'verified') or ''}
