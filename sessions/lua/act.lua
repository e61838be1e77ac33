-- A participant ends or refuses the call. ARGV from 9: account, event
-- (decline, cancel or hangup).
local s = load_session()
if not s then return {'err', 'not_found'} end
local role = role_of(s, ARGV[9])
if not role then return {'err', 'forbidden'} end
local event = ARGV[10]
if event == 'decline' and role ~= 'e' then return {'err', 'forbidden'} end
if event == 'cancel' and role ~= 'c' then return {'err', 'forbidden'} end
-- An expert hanging up on a ringing call declines it.
if event == 'hangup' and role == 'e' and s.state == 'ringing' then event = 'decline' end
local t = T[s.state][event]
if not t then return {'err', 'conflict', s.state} end
finish(s, t[2], now_ms())
return reply('ok')
