--! use common/lua/clock.lua
--! keys: deadlines
--! args: member after_ms
-- Records, before an expert's busy flag is taken for a session, that it must be given
-- back unless the session comes to hold it: a ``free|session|expert`` deadline a lease
-- from now (Redis time). If the process stops before the session is written, any reaper
-- finds the deadline and frees the expert (sessions/busy.py).
redis.call('ZADD', KEY.deadlines, now_ms() + tonumber(ARG.after_ms), ARG.member)
