-- The expert answers a dispute of their call, once, before it is decided.
-- KEYS 1 dispute hash, 2 open disputes, 3 answered disputes. ARGV 1 the expert, 2 text.
local d = redis.call('HMGET', KEYS[1], 'state', 'expert_id', 'session_id', 'opened_ms')
if not d[1] or d[2] ~= ARGV[1] then return {'err', 'not_found'} end
if d[1] ~= 'open' then return {'err', d[1]} end
redis.call('HSET', KEYS[1], 'state', 'answered', 'answer', ARGV[2],
           'answered_at', iso(now_ms()))
redis.call('ZREM', KEYS[2], d[3])
redis.call('ZADD', KEYS[3], d[4], d[3])
return {'ok', redis.call('HGETALL', KEYS[1])}
