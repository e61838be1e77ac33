--! use common/lua/clock.lua
--! keys: deadlines
--! args: reservation
-- A slot reserved for a booking (``reserve|<id>|<expert>|<slot>``) that no booking step
-- took within its lease: the intent becomes one to release it, due now, in one step, so a
-- booking step running late finds it gone and refuses. Answers that intent, or nil when the
-- reservation was taken (or released) already.
if redis.call('ZREM', KEY.deadlines, ARG.reservation) == 0 then return nil end
local release = 'release|' .. string.sub(ARG.reservation, #'reserve|' + 1) .. '|'
redis.call('ZADD', KEY.deadlines, now_ms(), release)
return release
