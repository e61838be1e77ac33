--! use common/lua/clock.lua
--! keys: stream queue due
--! args: group entry_id element brand
-- A brand's billing event moves from the brand group's pending list to the brand's own
-- delivery queue, exactly once: only the XACK that acknowledges it (1) queues it.
if redis.call('XACK', KEY.stream, ARG.group, ARG.entry_id) == 0 then return 0 end
redis.call('RPUSH', KEY.queue, ARG.element)
redis.call('ZADD', KEY.due, 'NX', now_ms(), ARG.brand)
return 1
