--! keys: lock
--! args: token
-- Deletes a lock only if it is still the caller's (its token): a lock that ran out and was
-- taken by someone else stays theirs.
if redis.call('GET', KEY.lock) == ARG.token then redis.call('DEL', KEY.lock) end
