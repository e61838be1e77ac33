--! durable
--! use earnings/lua/prelude.lua
--! keys: credited
--! args: event_id cents session_id refunded_at
-- A refunded call's share taken back from the expert (a 'session.refunded' billing event),
-- once whatever the redeliveries: its event id joins the same set as the credits' ids.
-- ``available`` may go below zero when the money was paid out already: a debt that the
-- next earnings pay back first (a payout needs that much available). ``cents``: taken
-- back; ``refunded_at``: when (ISO).
if redis.call('SADD', KEY.credited, ARG.event_id) == 0 then return 0 end
local amount = tonumber(ARG.cents)
redis.call('HINCRBY', KEY.account, 'earned', -amount)
redis.call('HINCRBY', KEY.account, 'available', -amount)
redis.call('HSETNX', KEY.account, 'pending', 0)
redis.call('HSETNX', KEY.account, 'paid_out', 0)
entry('refund', -amount, 'event_id', ARG.event_id, 'session_id', ARG.session_id,
      'booking_id', '', 'call_at', ARG.refunded_at, 'payout_id', '')
return 1
