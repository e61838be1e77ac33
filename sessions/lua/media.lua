-- A participant reports its peer connection. ARGV from 9: account, state, sid.
local s = load_session()
if not s then return {'err', STALE and 'stale' or 'not_found'} end
local role = role_of(s, ARGV[9])
if not role then return {'err', 'forbidden'} end
if s.state ~= 'accepted' and s.state ~= 'live' and s.state ~= 'paused' then
  return {'err', 'conflict', s.state}
end
if redis.call('HEXISTS', K.socks, ARGV[11]) == 0 then return {'err', 'forbidden'} end
s['media_' .. role] = ARGV[10]
redis.call('HSET', K.s, 'media_' .. role, ARGV[10])
local now = now_ms()
local low = evaluate(s, now, now)
return reply('ok', low)
