--! use common/lua/clock.lua
--! keys: dispute open answered
--! args: expert_id text
-- The expert answers a dispute of their call, once, before it is decided; it moves from
-- the open list to the answered one.
local d = redis.call('HMGET', KEY.dispute, 'state', 'expert_id', 'session_id', 'opened_ms')
if not d[1] or d[2] ~= ARG.expert_id then return {'err', 'not_found'} end
if d[1] ~= 'open' then return {'err', d[1]} end
redis.call('HSET', KEY.dispute, 'state', 'answered', 'answer', ARG.text,
           'answered_at', iso(now_ms()))
redis.call('ZREM', KEY.open, d[3])
redis.call('ZADD', KEY.answered, d[4], d[3])
return {'ok', redis.call('HGETALL', KEY.dispute)}
