--! durable
--! use sessions/lua/wallet.lua
--! keys: wallet ledger holds settled
--! args: ref session booking amount mode
-- A call's hold in its payer's wallet, a step of its own (sessions/holds.py). ``ref``
-- (``<session>|<nonce>``) names this one hold, so a step retried after its reply was lost
-- changes nothing. ``mode`` 'take': hold ``amount`` if the wallet covers it; 'grow': add
-- every cent still available to the hold (a live per-minute call: so two calls can never
-- spend the same money). A hold once settled is never taken again, so a step sent by a
-- stalled process cannot leave money held behind a call that is over.
-- Answers {'ok', cents now held for ref}, {'short'}, {'settled'}, or {'none'} (grow, no hold).
if redis.call('ZSCORE', KEY.settled, ARG.ref) then return {'settled'} end
local now = now_ms()
local function ledger(kind, amount, at)
  write_ledger(KEY.wallet, KEY.ledger, kind, amount, at, 'session_id', ARG.session,
               'booking_id', ARG.booking)
end
local held = redis.call('HGET', KEY.holds, ARG.ref)
if ARG.mode == 'take' then
  if held then return {'ok', tonumber(held)} end
  local amount = tonumber(ARG.amount)
  if not hold_funds(KEY.wallet, ledger, amount, now) then return {'short'} end
  redis.call('HSET', KEY.holds, ARG.ref, amount)
  return {'ok', amount}
end
if not held then return {'none'} end
local extra = available_in(KEY.wallet)
if extra > 0 then
  redis.call('HINCRBY', KEY.wallet, 'held', extra)
  held = redis.call('HINCRBY', KEY.holds, ARG.ref, extra)
  ledger('hold', extra, now)
end
return {'ok', tonumber(held)}
