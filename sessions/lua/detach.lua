--! use sessions/lua/prelude.lua
-- A socket left: disconnected, or its process died. ARGV from 9: sid, at (ms when it
-- was last known connected; empty for now).
local s = load_session()
if STALE then return {'err', 'stale'} end
redis.call('SREM', K.proc, ID .. '|' .. ARGV[9])
if redis.call('HDEL', K.socks, ARGV[9]) == 0 or not s then return {'noop'} end
local now = now_ms()
local at = now
if ARGV[10] ~= '' then at = tonumber(ARGV[10]) end
local low = evaluate(s, now, at)
return reply('ok', low)
