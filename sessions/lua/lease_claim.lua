--! use common/lua/clock.lua
--! keys: procs last_seen
--! args: lease_ms proc
-- A dead process is claimed by pushing its score one lease ahead, not by removing it:
-- if the survivor that claimed it dies while cleaning up, another one claims it again.
-- Its last heartbeat is kept aside so that every claimant bills to the same moment.
local now = now_ms()
local dead = redis.call('ZRANGEBYSCORE', KEY.procs, '-inf', now - tonumber(ARG.lease_ms),
                        'WITHSCORES')
local claimed = {}
for i = 1, #dead, 2 do
  if dead[i] == ARG.proc then
    -- Our own lease ran late (an overloaded loop): we are alive, so renew, never bury.
    redis.call('ZADD', KEY.procs, now, dead[i])
  else
    redis.call('HSETNX', KEY.last_seen, dead[i], dead[i + 1])
    redis.call('ZADD', KEY.procs, now, dead[i])
    table.insert(claimed, dead[i])
    table.insert(claimed, redis.call('HGET', KEY.last_seen, dead[i]))
  end
end
return claimed
