--! keys: one other
--! args: in_one in_other
local removed = redis.call('SREM', KEY.one, ARG.in_one)
redis.call('SREM', KEY.other, ARG.in_other)
return removed
