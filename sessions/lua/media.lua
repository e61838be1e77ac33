--! use sessions/lua/prelude.lua
-- A participant reports its peer connection. ARGV from 9: account, state, sid.
local s, role, refused = attached_in_call(ARGV[9], ARGV[11])
if refused then return refused end
s['media_' .. role] = ARGV[10]
redis.call('HSET', K.s, 'media_' .. role, ARGV[10])
local now = now_ms()
local low = evaluate(s, now, now)
return reply('ok', low)
