--! durable
--! use sessions/lua/wallet.lua
--! keys: wallet ledger
--! args: amount
local balance = redis.call('HINCRBY', KEY.wallet, 'balance', ARG.amount)
redis.call('HSETNX', KEY.wallet, 'held', 0)
write_ledger(KEY.wallet, KEY.ledger, 'topup', ARG.amount, now_ms(), 'session_id', '')
return balance
