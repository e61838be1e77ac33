-- Release a send lock, only if it is still ours.
-- KEYS: lock key. ARGV: owner.
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
