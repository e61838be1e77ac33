--! durable
--! use appointments/lua/prelude.lua
--! args: client_id expert_id topic start_ms end_ms length_minutes pricing_mode rate_cents
--! args: hold_cents currency min_notice_ms reminders no_show_ms cancel_notice_ms
--! args: late_fee_percent no_show_fee_percent client_name expert_name time_zone
--! args: hold_nonce hold_intent reservation member
-- A client books a slot, at a price just checked to be the expert's (§7.2,
-- appointments/store.py). ``reminders``: offsets in ms, comma separated. ``hold_nonce``:
-- the hold of ``hold_cents`` taken in the client's wallet just before ('' when the wallet
-- did not cover it), ``hold_intent`` its 'pay' deadline (sessions/holds.py).
-- ``member``: the slot reserved in the expert's calendar just before, ``reservation`` its
-- 'reserve' intent: two clients racing for one slot were told apart there.
if redis.call('EXISTS', KEY.booking) == 1 then return {'err', 'conflict'} end
local start, finish = tonumber(ARG.start_ms), tonumber(ARG.end_ms)
local hold = tonumber(ARG.hold_cents)
local now = now_ms()
if start < now + tonumber(ARG.min_notice_ms) then return {'err', 'too_soon'} end
if hold > 0 then
  if ARG.hold_nonce == '' then return {'err', 'insufficient_funds'} end
  local gone = hold_gone(KEY.deadlines, ARG.hold_intent)
  if gone then return gone end
end
if not consume(ARG.reservation) then return {'err', 'conflict', 'expired'} end
if hold > 0 then redis.call('ZREM', KEY.deadlines, ARG.hold_intent) end
local member = ARG.member
redis.call('HSET', KEY.booking, 'id', ID, 'state', 'booked', 'client_id', ARG.client_id,
           'expert_id', ARG.expert_id, 'topic', ARG.topic, 'start_ms', start, 'end_ms', finish,
           'length_minutes', ARG.length_minutes, 'pricing_mode', ARG.pricing_mode,
           'rate_cents', ARG.rate_cents, 'hold_cents', hold, 'currency', ARG.currency,
           'reminders', ARG.reminders, 'no_show_ms', ARG.no_show_ms,
           'cancel_notice_ms', ARG.cancel_notice_ms, 'late_fee_percent', ARG.late_fee_percent,
           'no_show_fee_percent', ARG.no_show_fee_percent, 'client_name', ARG.client_name,
           'expert_name', ARG.expert_name, 'time_zone', ARG.time_zone, 'created_at', now,
           'active_member', member,
           'joined_client_ms', '', 'joined_expert_ms', '', 'proposed_start_ms', '',
           'proposed_end_ms', '', 'proposed_by', '', 'sequence', 0, 'cancelled_by', '',
           'no_show_by', '', 'closed_at', '', 'amount_cents', 0, 'platform_fee_cents', 0,
           'expert_payout_cents', 0, 'hold_nonce', hold > 0 and ARG.hold_nonce or '')
local b = load_booking()
listed(b, start)
set_deadlines(b, now)
notify('expert', b, 'booking.created', now, {client_name = b.client_name})
return reply('booked')
