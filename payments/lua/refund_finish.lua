--! use sessions/lua/wallet.lua
-- Settles a reserved refund once Stripe has answered for each part: the hold is released,
-- the balance goes down by what Stripe refunded, and the parts it refused go back to their
-- top-ups (refundable again). A refund is finished once; a second call changes nothing.
-- KEYS: 1 wallet, 2 ledger, 3 refund hash, 4.. the top-up hash of each refused part
-- ARGV: 1 refund id, 2 cents refunded, 3 Stripe refund ids (`,`-joined),
--       4.. cents of each refused part (same order as KEYS 4..)
-- Returns {status, balance}.
local status, amount = unpack(redis.call('HMGET', KEYS[3], 'status', 'amount'))
if status ~= 'reserved' then return {status or 'unknown', 0} end
local done = tonumber(ARGV[2])
local now = now_ms()
local refused = {}
for i = 4, #KEYS do
  redis.call('HINCRBY', KEYS[i], 'refunded', -tonumber(ARGV[i]))
  refused[#refused + 1] = redis.call('HGET', KEYS[i], 'id') .. '|' .. ARGV[i]
end
redis.call('HINCRBY', KEYS[1], 'held', -tonumber(amount))
write_ledger(KEYS[1], KEYS[2], 'release', amount, now, 'session_id', '', 'refund_id', ARGV[1])
if done > 0 then
  redis.call('HINCRBY', KEYS[1], 'balance', -done)
  write_ledger(KEYS[1], KEYS[2], 'refund', -done, now, 'session_id', '', 'refund_id', ARGV[1])
end
if done == tonumber(amount) then status = 'succeeded'
elseif done == 0 then status = 'failed'
else status = 'partial' end
redis.call('HSET', KEYS[3], 'status', status, 'refunded', done, 'stripe_refunds', ARGV[3],
           'refused', table.concat(refused, ';'), 'settled_at', iso(now))
return {status, tonumber(redis.call('HGET', KEYS[1], 'balance'))}
