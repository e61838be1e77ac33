--! use sessions/lua/prelude.lua
--! args: account sid proc
-- A participant's (new) socket joins the session (call:join). Its media state is unknown
-- until it reports again (protocol §3).
local s = load_session()
if not s then return {'err', STALE and 'stale' or 'not_found'} end
local role = role_of(s, ARG.account)
if not role then return {'err', 'forbidden'} end
if s.state == 'ended' then return {'err', 'conflict', s.state} end
add_socket(role, ARG.sid, ARG.proc)
if s.state ~= 'ringing' and s.state ~= 'queued' then
  s['media_' .. role] = ''
  redis.call('HSET', KEY.session, 'media_' .. role, '')
end
local now = now_ms()
local low = evaluate(s, now, now)
return reply('ok', low)
