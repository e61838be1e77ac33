--! use sessions/lua/wallet.lua
--! keys: topup topups
--! args: id owner amount currency
-- A new top-up (``amount`` in cents), pending, indexed under its wallet (``topups``).
local now = now_ms()
redis.call('HSET', KEY.topup, 'id', ARG.id, 'owner', ARG.owner, 'amount', ARG.amount,
           'currency', ARG.currency, 'status', 'pending', 'intent', '', 'refunded', 0,
           'created_at', iso(now))
redis.call('ZADD', KEY.topups, now, ARG.id)
return now
