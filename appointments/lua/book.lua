--! use appointments/lua/prelude.lua
-- A client books a slot. ARGV from 4: client_id, expert_id, topic, start_ms, end_ms,
-- length_minutes, pricing_mode, rate_cents, hold_cents, currency, min_notice_ms,
-- max_len_ms, reminders (offsets in ms, comma separated), no_show_ms, cancel_notice_ms,
-- late_cancel_fee_percent, no_show_fee_percent, client_name, expert_name, time_zone.
-- KEYS[12]: the expert's profile, whose current price must be the one booked (§7.2).
if redis.call('EXISTS', K.b) == 1 then return {'err', 'conflict'} end
local start, finish = tonumber(ARGV[7]), tonumber(ARGV[8])
local hold = tonumber(ARGV[12])
local refused = price_refusal(KEYS[12], ARGV[10], ARGV[11])
if refused then return refused end
local now = now_ms()
if start < now + tonumber(ARGV[14]) then return {'err', 'too_soon'} end
-- Two clients racing for one slot: whichever script runs second sees the first's booking.
if overlapping(start, finish, tonumber(ARGV[15]), ID) then return {'err', 'slot_taken'} end
if hold > 0 and not hold_funds(K.wallet, ledger, hold, now) then
  return {'err', 'insufficient_funds'}
end
local member = ID .. '|' .. finish
redis.call('HSET', K.b, 'id', ID, 'state', 'booked', 'client_id', ARGV[4],
           'expert_id', ARGV[5], 'topic', ARGV[6], 'start_ms', start, 'end_ms', finish,
           'length_minutes', ARGV[9], 'pricing_mode', ARGV[10], 'rate_cents', ARGV[11],
           'hold_cents', hold, 'currency', ARGV[13], 'reminders', ARGV[16],
           'no_show_ms', ARGV[17], 'cancel_notice_ms', ARGV[18], 'late_fee_percent', ARGV[19],
           'no_show_fee_percent', ARGV[20], 'client_name', ARGV[21], 'expert_name', ARGV[22],
           'time_zone', ARGV[23], 'created_at', now, 'active_member', member,
           'joined_client_ms', '', 'joined_expert_ms', '', 'proposed_start_ms', '',
           'proposed_end_ms', '', 'proposed_by', '', 'sequence', 0, 'cancelled_by', '',
           'no_show_by', '', 'closed_at', '', 'amount_cents', 0, 'platform_fee_cents', 0,
           'expert_payout_cents', 0)
redis.call('ZADD', K.active, start, member)
redis.call('ZADD', K.idx_c, start, ID)
redis.call('ZADD', K.idx_e, start, ID)
local b = load_booking()
set_deadlines(b, now)
notify('expert', b, 'booking.created', now, {client_name = b.client_name})
return reply('booked')
