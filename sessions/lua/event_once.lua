--! durable
--! keys: billing marker
--! args: kept_ms event
-- Appends a billing event that a step owes (a disputed session's 'session.refunded':
-- sessions/holds.py) to the session's own stream, once: ``marker``, in the session's slot,
-- is set with it (kept ``kept_ms``, far longer than any step is retried), so taking the
-- step again appends nothing. ``event`` is a JSON array: field, value, field, value...
-- Answers 1 when it was appended.
if not redis.call('SET', KEY.marker, '1', 'NX', 'PX', ARG.kept_ms) then return 0 end
redis.call('XADD', KEY.billing, '*', unpack(cjson.decode(ARG.event)))
return 1
