-- An admin decides a dispute. In this one step: the decision is recorded, the refund goes
-- back to the wallet that paid for the call (a 'dispute_refund' ledger entry) and exactly one
-- 'session.refunded' event is appended to the billing stream; a second decision finds the
-- dispute decided and changes nothing. The expert's earnings follow that event (the earnings
-- consumer debits it once, as it credits a call once: earnings/lua/debit.lua).
-- KEYS 1 dispute hash, 2 session hash, 3 payer wallet, 4 payer ledger, 5 billing stream,
-- 6..8 disputes open / answered / decided. ARGV 1 admin, 2 outcome, 3 refund cents,
-- 4 platform fee share, 5 expert payout share, 6 note.
local d = redis.call('HMGET', KEYS[1], 'state', 'session_id', 'opened_ms', 'reason')
if not d[1] then return {'err', 'not_found'} end
if d[1] == 'decided' then return {'err', 'decided'} end
local s = redis.call('HMGET', KEYS[2], 'amount_cents', 'client_id', 'expert_id', 'brand_id',
                     'booking_id', 'currency', 'paid_by')
local refund = tonumber(ARGV[3])
if refund > tonumber(s[1]) then return {'err', 'too_much'} end
local now = now_ms()
redis.call('HSET', KEYS[1], 'state', 'decided', 'outcome', ARGV[2], 'refund_cents', refund,
           'platform_fee_refund_cents', ARGV[4], 'expert_payout_refund_cents', ARGV[5],
           'decided_by', ARGV[1], 'decided_at', iso(now), 'note', ARGV[6])
redis.call('ZREM', KEYS[6], d[2])
redis.call('ZREM', KEYS[7], d[2])
redis.call('ZADD', KEYS[8], d[3], d[2])
if refund > 0 then
  redis.call('HINCRBY', KEYS[3], 'balance', refund)
  write_ledger(KEYS[3], KEYS[4], 'dispute_refund', refund, now, 'session_id', d[2])
  redis.call('XADD', KEYS[5], '*',
    'event_id', 'ref_' .. d[2], 'type', 'session.refunded', 'session_id', d[2],
    'client_id', s[2], 'expert_id', s[3], 'brand_id', s[4] or '', 'booking_id', s[5] or '',
    'paid_by', s[7] or 'client', 'currency', s[6], 'charged_cents', s[1], 'refund_cents', refund,
    'platform_fee_refund_cents', ARGV[4], 'expert_payout_refund_cents', ARGV[5],
    'reason', d[4], 'outcome', ARGV[2], 'refunded_at', iso(now))
end
return {'ok', redis.call('HGETALL', KEYS[1])}
