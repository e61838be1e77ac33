--! durable
--! use earnings/lua/prelude.lua
--! keys: credited months
--! args: event_id payout_cents month session_id booking_id call_at
-- A billing event's payout to the expert, credited once whatever the redeliveries.
-- ``credited``: the event ids credited (set); ``months``: totals by month (``month`` is
-- YYYY-MM); ``call_at``: when the call or fee happened (ISO).
if redis.call('SADD', KEY.credited, ARG.event_id) == 0 then return 0 end
local amount = tonumber(ARG.payout_cents)
redis.call('HINCRBY', KEY.account, 'earned', amount)
redis.call('HINCRBY', KEY.account, 'available', amount)
redis.call('HSETNX', KEY.account, 'pending', 0)
redis.call('HSETNX', KEY.account, 'paid_out', 0)
redis.call('HINCRBY', KEY.months, ARG.month, amount)
entry('earning', amount, 'event_id', ARG.event_id, 'session_id', ARG.session_id,
      'booking_id', ARG.booking_id, 'call_at', ARG.call_at, 'payout_id', '')
return 1
