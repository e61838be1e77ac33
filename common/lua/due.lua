--! use common/lua/clock.lua
--! keys: deadlines
--! args: limit
-- The members of a deadlines zset (scored by due time, Redis ms) that are due now, at most
-- ``limit`` of them: Redis time, so every process agrees on what is due.
return redis.call('ZRANGEBYSCORE', KEY.deadlines, '-inf', now_ms(), 'LIMIT', 0, ARG.limit)
