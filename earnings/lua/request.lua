--! use earnings/lua/prelude.lua
-- An expert asks to be paid. Two requests racing never take the same money: the amount
-- leaves ``available`` here, in one step. KEYS 3: the payout hash, 4: the expert's
-- payouts, 5: the requested index, 6: the bank details. ARGV: payout id, expert id,
-- amount ('' = everything available), minimum, currency.
local now = now_ms()
local holder, iban, bic = unpack(redis.call('HMGET', KEYS[6], 'holder', 'iban', 'bic'))
if not iban then return {'err', 'no_bank'} end
local available = tonumber(redis.call('HGET', E.account, 'available') or '0')
local amount = available
if ARGV[3] ~= '' then amount = tonumber(ARGV[3]) end
if amount < tonumber(ARGV[4]) then return {'err', 'below_minimum', tostring(available)} end
if amount > available then return {'err', 'insufficient', tostring(available)} end
redis.call('HINCRBY', E.account, 'available', -amount)
redis.call('HINCRBY', E.account, 'pending', amount)
redis.call('HSET', KEYS[3], 'id', ARGV[1], 'expert_id', ARGV[2], 'amount_cents', amount,
           'currency', ARGV[5], 'state', 'requested', 'requested_at', now, 'holder', holder,
           'iban', iban, 'bic', bic or '', 'approved_at', '', 'approved_by', '', 'paid_at', '',
           'paid_by', '', 'reference', '', 'rejected_at', '', 'rejected_by', '')
redis.call('ZADD', KEYS[4], now, ARGV[1])
redis.call('ZADD', KEYS[5], now, ARGV[1])
entry('payout_requested', -amount, 'payout_id', ARGV[1])
return {'ok', redis.call('HGETALL', KEYS[3])}
