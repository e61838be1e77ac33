--! durable
--! use sessions/lua/wallet.lua
--! keys: wallet ledger topup
--! args: intent outcome amount currency error
-- How a top-up ended, as the provider tells it (a webhook, or a PaymentIntent read back).
-- Credits the wallet at most once per top-up: `succeeded` is final, whatever comes after;
-- `failed` may still become `succeeded` (Stripe lets a payer retry the same PaymentIntent).
-- ``intent``: the PaymentIntent's id; ``outcome``: `succeeded` or `failed`; ``error``: the
-- failure's text.
-- Returns {answer, balance}: answer is `credited`, `failed`, `already`, `unknown` or `mismatch`.
local status, intent, amount, currency, id = unpack(redis.call(
  'HMGET', KEY.topup, 'status', 'intent', 'amount', 'currency', 'id'))
if not status then return {'unknown', 0} end
-- The intent is recorded when it is created; an event for another one is not ours.
if intent ~= '' and intent ~= ARG.intent then return {'mismatch', 0} end
if status == 'succeeded' then return {'already', 0} end
if ARG.outcome == 'succeeded' then
  if tonumber(ARG.amount) ~= tonumber(amount) or ARG.currency ~= currency then
    return {'mismatch', 0}
  end
  local now = now_ms()
  local balance = redis.call('HINCRBY', KEY.wallet, 'balance', amount)
  redis.call('HSETNX', KEY.wallet, 'held', 0)
  write_ledger(KEY.wallet, KEY.ledger, 'topup', amount, now, 'session_id', '', 'topup_id', id)
  redis.call('HSET', KEY.topup, 'status', 'succeeded', 'intent', ARG.intent, 'error', '',
             'settled_at', iso(now))
  return {'credited', balance}
end
if status == 'failed' then return {'already', 0} end
redis.call('HSET', KEY.topup, 'status', 'failed', 'intent', ARG.intent, 'error', ARG.error,
           'settled_at', iso(now_ms()))
return {'failed', 0}
