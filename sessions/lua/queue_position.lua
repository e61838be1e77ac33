--! use sessions/lua/prelude.lua
-- Records the queue position last told to the client; answers 1 when it changed, so
-- that each change is announced once whichever process computes it. ARGV from 9: pos.
local s = load_session()
if STALE then return {'err', 'stale'} end
if not s or s.state ~= 'queued' or s.queue_pos == ARGV[9] then return 0 end
redis.call('HSET', K.s, 'queue_pos', ARGV[9])
return 1
