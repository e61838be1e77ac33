--! use common/lua/clock.lua
--! keys: deadlines
--! args: after_ms ...members
-- Records, before a step outside the session's slot (an expert's busy flag taken, a
-- payer's money held), what must be undone unless the session comes to hold it: one
-- deadline per member (``free|session|expert``, ``pay|session|payer|nonce|charge``), a
-- lease from now (Redis time). If the process stops before the session is written, any
-- reaper finds the deadline and undoes the step (sessions/busy.py, sessions/holds.py).
local at = now_ms() + tonumber(ARG.after_ms)
for _, member in ipairs(ARG.members) do redis.call('ZADD', KEY.deadlines, at, member) end
