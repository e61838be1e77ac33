--! durable
--! use sessions/lua/prelude.lua
-- The router gives up on a queued category call: no online expert is left to ring.
local s = load_session()
if not s then return {'err', STALE and 'stale' or 'not_found'} end
if s.state ~= 'queued' then return {'err', 'conflict', s.state} end
finish(s, 'declined', now_ms())
return reply('ok')
