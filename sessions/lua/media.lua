--! use sessions/lua/prelude.lua
--! args: account state sid
-- A participant reports its peer connection (``state``) from socket ``sid``.
local s, role, refused = attached_in_call(ARG.account, ARG.sid)
if refused then return refused end
s['media_' .. role] = ARG.state
redis.call('HSET', KEY.session, 'media_' .. role, ARG.state)
local now = now_ms()
local low = evaluate(s, now, now)
return reply('ok', low)
