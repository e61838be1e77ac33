--! keys: wallet
--! args: amount
-- A piece naming keys and arguments of every script that uses it (test_lua.py).
local function take()
  return redis.call('HINCRBY', KEY.wallet, 'balance', -tonumber(ARG.amount))
end
