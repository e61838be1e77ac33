--! use common/lua/clock.lua
--! keys: queued stream
--! args: key dedup_ms ...fields
-- Queue one message once: the message's key joins ``queued`` (a sorted set, scored by when
-- it was queued, kept ``dedup_ms``) first, so a retried or repeated enqueue of the same
-- event adds nothing. One sorted set rather than a key per message: the queue's records
-- stay a handful of keys whatever the volume (docs/cluster.md, keys per slot).
-- ``fields``: the stream entry's field/value pairs.
local now = now_ms()
redis.call('ZREMRANGEBYSCORE', KEY.queued, '-inf', now - tonumber(ARG.dedup_ms))
if redis.call('ZADD', KEY.queued, 'NX', now, ARG.key) == 0 then return 0 end
redis.call('XADD', KEY.stream, '*', unpack(ARG.fields))
return 1
