--! use common/lua/clock.lua
--! keys: dispute open
--! args: session_id client_id reason text window_ms
--! args: state session_client expert_id amount_cents ended_at currency brand_id
-- A client disputes an ended, charged call: once, within the window (trust/disputes.py
-- says the rules; they are checked again here, atomically with the write). ``open`` lists
-- the open disputes (zset session -> opened ms). The session's facts come as arguments
-- (``state`` '' when there is none): it lives in its bucket's slot, not this one, and once
-- ended they are final.
local s = {ARG.state, ARG.session_client, ARG.expert_id, ARG.amount_cents, ARG.ended_at,
           ARG.currency, ARG.brand_id}
if s[1] == '' or s[2] ~= ARG.client_id then return {'err', 'not_found'} end
if s[1] ~= 'ended' then return {'err', 'not_ended'} end
if (tonumber(s[4]) or 0) <= 0 then return {'err', 'not_paid'} end
local now = now_ms()
if now - tonumber(s[5]) > tonumber(ARG.window_ms) then return {'err', 'too_late'} end
if redis.call('EXISTS', KEY.dispute) == 1 then return {'err', 'already'} end
redis.call('HSET', KEY.dispute, 'session_id', ARG.session_id, 'state', 'open',
           'reason', ARG.reason, 'text', ARG.text, 'client_id', s[2], 'expert_id', s[3],
           'amount_cents', s[4], 'currency', s[6], 'brand_id', s[7],
           'opened_at', iso(now), 'opened_ms', now)
redis.call('ZADD', KEY.open, now, ARG.session_id)
return {'ok', redis.call('HGETALL', KEY.dispute)}
