--! durable
--! use common/lua/clock.lua
--! keys: dispute deadlines open answered decided log
--! args: admin_id outcome refund_cents fee_refund_cents payout_refund_cents note payer lease_ms
--! args: amount_cents client_id expert_id brand_id booking_id currency paid_by
-- An admin decides a dispute. In this one step: the decision is recorded, and the refund
-- and its one 'session.refunded' event are owed (a ``credit|session|payer|cents|event``
-- intent in bucket 0's ``deadlines``, sessions/keys.py): the caller appends the event to the
-- session's own billing stream, after its 'session.ended', and credits the wallet that
-- paid (``payer``'s) next, or a reaper a lease later if it stopped first, each once
-- (sessions/holds.py). A second decision finds the dispute decided and changes nothing.
-- The expert's earnings follow that event (the earnings consumer debits it once, as it
-- credits a call once: earnings/lua/debit.lua). The decision is written to the moderation
-- log (``log``) in the same step.
local d = redis.call('HMGET', KEY.dispute, 'state', 'session_id', 'opened_ms', 'reason')
if not d[1] then return {'err', 'not_found'} end
if d[1] == 'decided' then return {'err', 'decided'} end
-- The session's facts come as arguments: it has ended, so they are final, and it lives in
-- its bucket's slot, not this one (common/keyspace.py).
local refund = tonumber(ARG.refund_cents)
if refund > tonumber(ARG.amount_cents) then return {'err', 'too_much'} end
local now = now_ms()
redis.call('HSET', KEY.dispute, 'state', 'decided', 'outcome', ARG.outcome,
           'refund_cents', refund, 'platform_fee_refund_cents', ARG.fee_refund_cents,
           'expert_payout_refund_cents', ARG.payout_refund_cents, 'decided_by', ARG.admin_id,
           'decided_at', iso(now), 'note', ARG.note)
redis.call('ZREM', KEY.open, d[2])
redis.call('ZREM', KEY.answered, d[2])
redis.call('ZADD', KEY.decided, d[3], d[2])
redis.call('XADD', KEY.log, '*', 'admin_id', ARG.admin_id, 'action', 'dispute_decided',
           'subject_id', d[2], 'reason', ARG.note, 'detail', ARG.outcome .. ' ' .. refund)
local credit = ''
if refund > 0 then
  local event = cjson.encode({
    'event_id', 'ref_' .. d[2], 'type', 'session.refunded', 'session_id', d[2],
    'client_id', ARG.client_id, 'expert_id', ARG.expert_id, 'brand_id', ARG.brand_id,
    'booking_id', ARG.booking_id, 'paid_by', ARG.paid_by, 'currency', ARG.currency,
    'charged_cents', ARG.amount_cents, 'refund_cents', tostring(refund),
    'platform_fee_refund_cents', ARG.fee_refund_cents,
    'expert_payout_refund_cents', ARG.payout_refund_cents,
    'reason', d[4], 'outcome', ARG.outcome, 'refunded_at', iso(now)})
  credit = 'credit|' .. d[2] .. '|' .. ARG.payer .. '|' .. refund .. '|' .. event
  redis.call('ZADD', KEY.deadlines, now + tonumber(ARG.lease_ms), credit)
end
return {'ok', redis.call('HGETALL', KEY.dispute), credit}
