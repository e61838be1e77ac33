--! use earnings/lua/prelude.lua
-- A refunded call's share taken back from the expert (a 'session.refunded' billing event),
-- once whatever the redeliveries: its event id joins the same set as the credits' ids.
-- ``available`` may go below zero when the money was paid out already: a debt that the
-- next earnings pay back first (a payout needs that much available). KEYS 3: credited
-- event ids. ARGV: event id, cents taken back, session id, when it was refunded (ISO).
if redis.call('SADD', KEYS[3], ARGV[1]) == 0 then return 0 end
local amount = tonumber(ARGV[2])
redis.call('HINCRBY', E.account, 'earned', -amount)
redis.call('HINCRBY', E.account, 'available', -amount)
redis.call('HSETNX', E.account, 'pending', 0)
redis.call('HSETNX', E.account, 'paid_out', 0)
entry('refund', -amount, 'event_id', ARGV[1], 'session_id', ARGV[3], 'booking_id', '',
      'call_at', ARGV[4], 'payout_id', '')
return 1
