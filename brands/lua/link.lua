--! keys: one other
--! args: in_one in_other
-- Both sides of a membership in one step, so it never exists on one side only.
redis.call('SADD', KEY.one, ARG.in_one)
redis.call('SADD', KEY.other, ARG.in_other)
return 1
