--! durable
--! use sessions/lua/wallet.lua
--! keys: wallet ledger refund ...refused
--! args: id refunded stripe_refunds ...refused_cents
-- Settles a reserved refund once Stripe has answered for each part: the hold is released,
-- the balance goes down by what Stripe refunded, and the parts it refused go back to their
-- top-ups (refundable again). A refund is finished once; a second call changes nothing.
-- ``refunded``: the cents Stripe refunded; ``stripe_refunds``: its refund ids, `,`-joined;
-- ``refused``: the top-up hash of each part Stripe refused, ``refused_cents`` its cents
-- (in the same order).
-- Returns {status, balance}.
local status, amount = unpack(redis.call('HMGET', KEY.refund, 'status', 'amount'))
if status ~= 'reserved' then return {status or 'unknown', 0} end
local done = tonumber(ARG.refunded)
local now = now_ms()
local refused = {}
for i, topup in ipairs(KEY.refused) do
  local cents = ARG.refused_cents[i]
  redis.call('HINCRBY', topup, 'refunded', -tonumber(cents))
  refused[#refused + 1] = redis.call('HGET', topup, 'id') .. '|' .. cents
end
redis.call('HINCRBY', KEY.wallet, 'held', -tonumber(amount))
write_ledger(KEY.wallet, KEY.ledger, 'release', amount, now, 'session_id', '', 'refund_id',
             ARG.id)
if done > 0 then
  redis.call('HINCRBY', KEY.wallet, 'balance', -done)
  write_ledger(KEY.wallet, KEY.ledger, 'refund', -done, now, 'session_id', '', 'refund_id',
               ARG.id)
end
if done == tonumber(amount) then status = 'succeeded'
elseif done == 0 then status = 'failed'
else status = 'partial' end
redis.call('HSET', KEY.refund, 'status', status, 'refunded', done,
           'stripe_refunds', ARG.stripe_refunds,
           'refused', table.concat(refused, ';'), 'settled_at', iso(now))
return {status, tonumber(redis.call('HGET', KEY.wallet, 'balance'))}
