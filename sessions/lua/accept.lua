-- The expert accepts from one of their sockets. ARGV from 9: account, sid, proc.
local s = load_session()
if not s then return {'err', STALE and 'stale' or 'not_found'} end
if role_of(s, ARGV[9]) ~= 'e' then return {'err', 'forbidden'} end
if not T[s.state]['accept'] then return {'err', 'conflict', s.state} end
local now = now_ms()
redis.call('HSET', K.s, 'state', 'accepted', 'accepted_at', now)
redis.call('ZREM', K.dl, 'ring|' .. ID)
set_deadline('connect', now + CFG.connect_ms)
redis.call('HSET', K.socks, ARGV[10], 'e|' .. ARGV[11])
redis.call('SADD', K.proc, ID .. '|' .. ARGV[10])
return reply('ok')
