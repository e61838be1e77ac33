--! keys: active reliability
--! args: member counter
-- A booking's slot out of the expert's calendar, and one more of the expert's
-- ``counter`` ('' for none: attended, no_shows, late_cancellations) with it. Only the
-- step that removes the slot counts, so running it again counts nothing.
if redis.call('ZREM', KEY.active, ARG.member) == 1 and ARG.counter ~= '' then
  redis.call('HINCRBY', KEY.reliability, ARG.counter, 1)
end
