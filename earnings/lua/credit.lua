--! use earnings/lua/prelude.lua
-- A billing event's payout to the expert, credited once whatever the redeliveries.
-- KEYS 3: credited event ids, 4: totals by month. ARGV: event id, payout cents, month
-- (YYYY-MM), session id, booking id, when the call or fee happened (ISO).
if redis.call('SADD', KEYS[3], ARGV[1]) == 0 then return 0 end
local amount = tonumber(ARGV[2])
redis.call('HINCRBY', E.account, 'earned', amount)
redis.call('HINCRBY', E.account, 'available', amount)
redis.call('HSETNX', E.account, 'pending', 0)
redis.call('HSETNX', E.account, 'paid_out', 0)
redis.call('HINCRBY', KEYS[4], ARGV[3], amount)
entry('earning', amount, 'event_id', ARGV[1], 'session_id', ARGV[4], 'booking_id', ARGV[5],
      'call_at', ARGV[6], 'payout_id', '')
return 1
