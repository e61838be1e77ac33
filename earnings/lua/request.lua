--! durable
--! use earnings/lua/prelude.lua
--! keys: payout payouts requested bank
--! args: payout_id expert_id amount minimum currency
-- An expert asks to be paid. Two requests racing never take the same money: the amount
-- leaves ``available`` here, in one step. ``payouts``: the expert's; ``requested``: the
-- index of requested payouts; ``bank``: the expert's bank details. ``amount``: '' asks for
-- everything available.
local now = now_ms()
local holder, iban, bic = unpack(redis.call('HMGET', KEY.bank, 'holder', 'iban', 'bic'))
if not iban then return {'err', 'no_bank'} end
local available = tonumber(redis.call('HGET', KEY.account, 'available') or '0')
local amount = available
if ARG.amount ~= '' then amount = tonumber(ARG.amount) end
if amount < tonumber(ARG.minimum) then return {'err', 'below_minimum', tostring(available)} end
if amount > available then return {'err', 'insufficient', tostring(available)} end
redis.call('HINCRBY', KEY.account, 'available', -amount)
redis.call('HINCRBY', KEY.account, 'pending', amount)
redis.call('HSET', KEY.payout, 'id', ARG.payout_id, 'expert_id', ARG.expert_id,
           'amount_cents', amount, 'currency', ARG.currency, 'state', 'requested',
           'requested_at', now, 'holder', holder, 'iban', iban, 'bic', bic or '',
           'approved_at', '', 'approved_by', '', 'paid_at', '', 'paid_by', '', 'reference', '',
           'rejected_at', '', 'rejected_by', '')
redis.call('ZADD', KEY.payouts, now, ARG.payout_id)
redis.call('ZADD', KEY.requested, now, ARG.payout_id)
entry('payout_requested', -amount, 'payout_id', ARG.payout_id)
return {'ok', redis.call('HGETALL', KEY.payout)}
