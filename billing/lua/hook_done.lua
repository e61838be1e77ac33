--! use common/lua/clock.lua
--! keys: due queue attempts backoff failures
--! args: brand element
-- The head (``element``) was delivered (or has nowhere to go): drop it, and the brand is
-- due again at once if more events wait.
if redis.call('LINDEX', KEY.queue, 0) == ARG.element then redis.call('LPOP', KEY.queue) end
redis.call('HDEL', KEY.attempts, ARG.brand)
redis.call('HDEL', KEY.backoff, ARG.brand)
redis.call('HDEL', KEY.failures, ARG.brand)
if redis.call('LLEN', KEY.queue) > 0 then
  redis.call('ZADD', KEY.due, now_ms(), ARG.brand)
else
  redis.call('ZREM', KEY.due, ARG.brand)
end
return 1
