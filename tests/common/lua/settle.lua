--! use sessions/lua/wallet.lua
--! keys: wallet ledger
--! args: hold amount
-- Test driver: release a hold, then charge, as a session or a booking ends.
local function record(kind, amount, now)
  write_ledger(KEY.wallet, KEY.ledger, kind, amount, now, 'session_id', 's_test')
end
local now = now_ms()
release_hold(KEY.wallet, record, tonumber(ARG.hold), now)
charge(KEY.wallet, record, tonumber(ARG.amount), now)
return redis.call('HMGET', KEY.wallet, 'balance', 'held')
