--! use common/lua/clock.lua
--! keys: queue
--! args: id lease_ms
-- Drops the queue entry of a call the router found no session for, once the entry is a
-- lease old: a call joins its queue just before its session is written
-- (sessions/queueing.py), so a younger one may be on its way.
local joined = redis.call('ZSCORE', KEY.queue, ARG.id)
if joined and tonumber(joined) < now_ms() - tonumber(ARG.lease_ms) then
  return redis.call('ZREM', KEY.queue, ARG.id)
end
return 0
