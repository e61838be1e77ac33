--! use common/lua/clock.lua
--! keys: queued queue due
--! args: element brand keep_ms
-- A brand's billing event joins the brand's own delivery queue, once. The brand group's
-- XACK of its entry follows as a step apart (on a Cluster the stream is in its bucket's
-- slot, the queues in the home one), so ``queued`` marks the entry as queued for
-- ``keep_ms``: an entry read again (a stop before its XACK, a takeover) is not queued
-- twice.
if not redis.call('SET', KEY.queued, '1', 'NX', 'PX', ARG.keep_ms) then return 0 end
redis.call('RPUSH', KEY.queue, ARG.element)
redis.call('ZADD', KEY.due, 'NX', now_ms(), ARG.brand)
return 1
