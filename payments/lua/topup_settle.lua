--! use sessions/lua/wallet.lua
-- How a top-up ended, as the provider tells it (a webhook, or a PaymentIntent read back).
-- Credits the wallet at most once per top-up: `succeeded` is final, whatever comes after;
-- `failed` may still become `succeeded` (Stripe lets a payer retry the same PaymentIntent).
-- KEYS: 1 wallet, 2 ledger, 3 top-up hash
-- ARGV: 1 PaymentIntent id, 2 outcome (`succeeded` or `failed`), 3 amount, 4 currency,
--       5 failure text
-- Returns {answer, balance}: answer is `credited`, `failed`, `already`, `unknown` or `mismatch`.
local status, intent, amount, currency, id = unpack(redis.call(
  'HMGET', KEYS[3], 'status', 'intent', 'amount', 'currency', 'id'))
if not status then return {'unknown', 0} end
-- The intent is recorded when it is created; an event for another one is not ours.
if intent ~= '' and intent ~= ARGV[1] then return {'mismatch', 0} end
if status == 'succeeded' then return {'already', 0} end
if ARGV[2] == 'succeeded' then
  if tonumber(ARGV[3]) ~= tonumber(amount) or ARGV[4] ~= currency then
    return {'mismatch', 0}
  end
  local now = now_ms()
  local balance = redis.call('HINCRBY', KEYS[1], 'balance', amount)
  redis.call('HSETNX', KEYS[1], 'held', 0)
  write_ledger(KEYS[1], KEYS[2], 'topup', amount, now, 'session_id', '', 'topup_id', id)
  redis.call('HSET', KEYS[3], 'status', 'succeeded', 'intent', ARGV[1], 'error', '',
             'settled_at', iso(now))
  return {'credited', balance}
end
if status == 'failed' then return {'already', 0} end
redis.call('HSET', KEYS[3], 'status', 'failed', 'intent', ARGV[1], 'error', ARGV[5],
           'settled_at', iso(now_ms()))
return {'failed', 0}
