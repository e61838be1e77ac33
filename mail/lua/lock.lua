-- The send lock of one message: taken (SET NX PX) or, when already ours, renewed. Two
-- workers never hold it at once, so they never send one message at the same time.
-- KEYS: lock key. ARGV: owner, lease ms. Answers 1 when ours, 0 when another's.
local owner = redis.call('GET', KEYS[1])
if owner == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if owner == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
