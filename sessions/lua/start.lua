--! use sessions/lua/prelude.lua
-- A client rings an expert. ARGV from 9: client_id, expert_id, topic, pricing_mode,
-- rate_cents, currency, fee_percent, hold_cents, sid, proc, brand_id, paid_by, category,
-- payer_id, booking_id, rung role ('e', or 'c' when the expert joins a booking first),
-- '1' when KEYS[17] is the expert's profile, whose current price must be the session's
-- (protocol §7.2: the price the client agreed to).
local client_id, expert_id, topic = ARGV[9], ARGV[10], ARGV[11]
local hold = tonumber(ARGV[16])
local booking_id, rung = ARGV[23], ARGV[24]
-- A booked call's price is already held by the booking: the session holds its own at
-- accept, once both have joined and the booking has released its hold.
if booking_id ~= '' then hold = 0 end
if redis.call('EXISTS', K.s) == 1 then return {'err', 'conflict'} end
-- One expert, one call at a time: the busy key is taken here or not at all.
if redis.call('EXISTS', K.busy) == 1 then return {'err', 'unavailable'} end
if ARGV[25] == '1' then
  local refused = price_refusal(KEYS[17], ARGV[12], ARGV[13])
  if refused then return refused end
end
local now = now_ms()
if hold > 0 and not hold_funds(K.wallet, ledger, hold, now) then
  return {'err', 'insufficient_funds'}
end
redis.call('SET', K.busy, ID)
redis.call('HSET', K.s, 'id', ID, 'state', 'ringing', 'end_reason', '', 'client_id', client_id,
           'expert_id', expert_id, 'topic', topic, 'pricing_mode', ARGV[12],
           'rate_cents', ARGV[13], 'currency', ARGV[14], 'fee_percent', ARGV[15],
           'hold_cents', hold, 'brand_id', ARGV[19], 'paid_by', ARGV[20],
           'category', ARGV[21], 'payer_id', ARGV[22], 'created_at', now, 'rung_at', now, 'accepted_at', '',
           'live_started_at', '', 'live_since', '', 'live_ms', 0, 'ended_at', '',
           'media_c', '', 'media_e', '', 'low_sent', '', 'billed_seconds', 0,
           'amount_cents', 0, 'platform_fee_cents', 0, 'expert_payout_cents', 0,
           'booking_id', booking_id, 'rung_role', rung)
redis.call('HSET', K.socks, ARGV[17], (rung == 'c' and 'e' or 'c') .. '|' .. ARGV[18])
redis.call('SADD', K.proc, ID .. '|' .. ARGV[17])
set_deadline('ring', now + CFG.ring_ms)
note('rung', now, '', rung)
redis.call('ZADD', K.idx_c, now, ID)
redis.call('ZADD', K.idx_e, now, ID)
if ARGV[19] ~= '' then redis.call('ZADD', K.brand, now, ID) end
return reply('ok')
