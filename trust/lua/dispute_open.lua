-- A client disputes an ended, charged call: once, within the window (trust/disputes.py
-- says the rules; they are checked again here, atomically with the write).
-- KEYS 1 dispute hash, 2 session hash, 3 open disputes (zset). ARGV 1 session id,
-- 2 the client, 3 reason, 4 text, 5 window ms.
local s = redis.call('HMGET', KEYS[2], 'state', 'client_id', 'expert_id', 'amount_cents',
                     'ended_at', 'currency', 'brand_id')
if not s[1] or s[2] ~= ARGV[2] then return {'err', 'not_found'} end
if s[1] ~= 'ended' then return {'err', 'not_ended'} end
if tonumber(s[4] or '0') <= 0 then return {'err', 'not_paid'} end
local now = now_ms()
if now - tonumber(s[5]) > tonumber(ARGV[5]) then return {'err', 'too_late'} end
if redis.call('EXISTS', KEYS[1]) == 1 then return {'err', 'already'} end
redis.call('HSET', KEYS[1], 'session_id', ARGV[1], 'state', 'open', 'reason', ARGV[3],
           'text', ARGV[4], 'client_id', s[2], 'expert_id', s[3], 'amount_cents', s[4],
           'currency', s[6], 'brand_id', s[7] or '', 'opened_at', iso(now),
           'opened_ms', now)
redis.call('ZADD', KEYS[3], now, ARGV[1])
return {'ok', redis.call('HGETALL', KEYS[1])}
