--! durable
--! use sessions/lua/wallet.lua
--! keys: wallet ledger settled
--! args: ref session amount kept_ms
-- Credits a call's disputed charge back to the wallet that paid it (a 'dispute_refund'
-- ledger entry), a step of its own after the decision (sessions/holds.py). Once only:
-- ``ref`` then joins ``settled`` (kept ``kept_ms``), so running it again changes nothing.
-- Answers the cents credited.
local now = now_ms()
if redis.call('ZSCORE', KEY.settled, ARG.ref) then return 0 end
redis.call('ZADD', KEY.settled, now, ARG.ref)
redis.call('ZREMRANGEBYSCORE', KEY.settled, '-inf', now - tonumber(ARG.kept_ms))
redis.call('HINCRBY', KEY.wallet, 'balance', ARG.amount)
write_ledger(KEY.wallet, KEY.ledger, 'dispute_refund', ARG.amount, now, 'session_id',
             ARG.session)
return tonumber(ARG.amount)
