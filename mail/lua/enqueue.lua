--! keys: dedup stream
--! args: dedup_seconds ...fields
-- Queue one message once: the message's key is claimed first (SET NX, kept for the
-- dedup period), so a retried or repeated enqueue of the same event adds nothing.
-- ``fields``: the stream entry's field/value pairs.
if redis.call('SET', KEY.dedup, '1', 'NX', 'EX', ARG.dedup_seconds) == false then return 0 end
redis.call('XADD', KEY.stream, '*', unpack(ARG.fields))
return 1
