--! keys: lock
--! args: owner lease_ms
-- The send lock of one message: taken (SET NX PX) or, when already ours, renewed. Two
-- workers never hold it at once, so they never send one message at the same time.
-- Answers 1 when ours, 0 when another's.
local owner = redis.call('GET', KEY.lock)
if owner == false then
  redis.call('SET', KEY.lock, ARG.owner, 'PX', ARG.lease_ms)
  return 1
end
if owner == ARG.owner then
  redis.call('PEXPIRE', KEY.lock, ARG.lease_ms)
  return 1
end
return 0
