--! use sessions/lua/prelude.lua
-- A participant's (new) socket joins the session (call:join). ARGV from 9: account,
-- sid, proc. Its media state is unknown until it reports again (protocol §3).
local s = load_session()
if not s then return {'err', STALE and 'stale' or 'not_found'} end
local role = role_of(s, ARGV[9])
if not role then return {'err', 'forbidden'} end
if s.state == 'ended' then return {'err', 'conflict', s.state} end
redis.call('HSET', K.socks, ARGV[10], role .. '|' .. ARGV[11])
redis.call('SADD', K.proc, ID .. '|' .. ARGV[10])
if s.state ~= 'ringing' and s.state ~= 'queued' then
  s['media_' .. role] = ''
  redis.call('HSET', K.s, 'media_' .. role, '')
end
local now = now_ms()
local low = evaluate(s, now, now)
return reply('ok', low)
