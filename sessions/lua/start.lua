--! durable
--! use sessions/lua/prelude.lua
--! args: client_id expert_id topic pricing_mode rate_cents currency fee_percent hold_cents sid proc brand_id paid_by category payer_id booking_id rung
--! args: hold_nonce hold_intent
-- A client rings an expert. ``rung``: the side rung ('e', or 'c' when the expert joins a
-- booking first); the price agreed is checked just before (sessions/agreed.py). ``hold_nonce``: the
-- hold of ``hold_cents`` taken in the payer's wallet just before ('' when the wallet did
-- not cover it), ``hold_intent`` its 'pay' deadline (sessions/holds.py).
local client_id, expert_id, topic = ARG.client_id, ARG.expert_id, ARG.topic
local hold = tonumber(ARG.hold_cents)
local booking_id, rung = ARG.booking_id, ARG.rung
-- A booked call's price is already held by the booking: the session holds its own at
-- accept, once both have joined and the booking has released its hold.
if booking_id ~= '' then hold = 0 end
-- The expert's busy flag is already taken for this session (sessions/busy.py): one
-- expert, one call at a time.
if redis.call('EXISTS', KEY.session) == 1 then return {'err', 'conflict'} end
if hold > 0 then
  if ARG.hold_nonce == '' then return {'err', 'insufficient_funds'} end
  local gone = hold_gone(KEY.deadlines, ARG.hold_intent)
  if gone then return gone end
end
local now = now_ms()
hold_expert(expert_id)
redis.call('HSET', KEY.session, 'id', ID, 'state', 'ringing', 'end_reason', '',
           'client_id', client_id, 'expert_id', expert_id, 'topic', topic,
           'pricing_mode', ARG.pricing_mode, 'rate_cents', ARG.rate_cents,
           'currency', ARG.currency, 'fee_percent', ARG.fee_percent, 'hold_cents', hold,
           'brand_id', ARG.brand_id, 'paid_by', ARG.paid_by, 'category', ARG.category,
           'payer_id', ARG.payer_id, 'created_at', now, 'rung_at', now, 'accepted_at', '',
           'live_started_at', '', 'live_since', '', 'live_ms', 0, 'ended_at', '',
           'media_c', '', 'media_e', '', 'low_sent', '', 'billed_seconds', 0,
           'amount_cents', 0, 'platform_fee_cents', 0, 'expert_payout_cents', 0,
           'booking_id', booking_id, 'rung_role', rung, 'hold_nonce', '')
if hold > 0 then keep_hold(ARG.hold_nonce, ARG.hold_intent, hold) end
add_socket(rung == 'c' and 'e' or 'c', ARG.sid, ARG.proc)
set_deadline('ring', now + CFG.ring_ms)
note('rung', now, '', rung)
return reply('ok')
