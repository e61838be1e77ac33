--! use sessions/lua/prelude.lua
--! args: position
-- Records the queue position last told to the client; answers 1 when it changed, so
-- that each change is announced once whichever process computes it.
local s = load_session()
if STALE then return {'err', 'stale'} end
if not s or s.state ~= 'queued' or s.queue_pos == ARG.position then return 0 end
redis.call('HSET', KEY.session, 'queue_pos', ARG.position)
return 1
