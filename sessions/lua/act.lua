--! durable
--! use sessions/lua/prelude.lua
--! args: account event
-- A participant ends or refuses the call; the event is decline, cancel or hangup.
local s = load_session()
if not s then return {'err', STALE and 'stale' or 'not_found'} end
local role = role_of(s, ARG.account)
if not role then return {'err', 'forbidden'} end
local event = ARG.event
if event == 'decline' and role ~= 'e' then return {'err', 'forbidden'} end
if event == 'cancel' and role ~= 'c' then return {'err', 'forbidden'} end
-- An expert hanging up on a ringing call declines it.
if event == 'hangup' and role == 'e' and s.state == 'ringing' then event = 'decline' end
local t = T[s.state][event]
if not t then return {'err', 'conflict', s.state} end
local now = now_ms()
-- A category call that an expert declines goes back to the queue for the next one,
-- unless its wait is over.
if event == 'decline' and s.state == 'ringing' and s.category ~= ''
   and now < tonumber(s.created_at) + CFG.queue_ms then
  return reply('requeued', requeue(s, now) .. '|declined')
end
finish(s, t[2], now, nil, role)
return reply('ok')
