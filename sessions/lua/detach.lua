--! use sessions/lua/prelude.lua
--! args: sid at
-- A socket left: disconnected, or its process died. ``at``: the ms when it was last known
-- connected (empty for now).
local s = load_session()
if STALE then return {'err', 'stale'} end
if redis.call('HDEL', KEY.socks, ARG.sid) == 0 or not s then return {'noop'} end
local now = now_ms()
local at = now
if ARG.at ~= '' then at = tonumber(ARG.at) end
local low = evaluate(s, now, at)
return reply('ok', low)
