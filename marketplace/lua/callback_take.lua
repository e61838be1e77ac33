--! keys: open request
--! args: id expert
-- Taking is atomic: two experts pressing at once, one gets it.
if redis.call('ZREM', KEY.open, ARG.id) == 0 then return 0 end
redis.call('HSET', KEY.request, 'taken_by', ARG.expert)
return 1
