--! use common/lua/clock.lua
-- Wallet helpers shared by the session, booking and payment scripts; they take the keys as
-- arguments, since each family names its keys its own way.

-- What a wallet can still commit: its balance less what calls and bookings hold.
local function available_in(wallet)
  local balance, held = unpack(redis.call('HMGET', wallet, 'balance', 'held'))
  return tonumber(balance or '0') - tonumber(held or '0')
end

-- One ledger entry, with the balance after the movement; ``...`` names what it is for
-- (field, value pairs). Lua expands ``...`` only in last place, hence the order.
local function write_ledger(wallet, ledger, kind, amount, now, ...)
  local balance = redis.call('HGET', wallet, 'balance') or '0'
  redis.call('XADD', ledger, '*', 'kind', kind, 'amount_cents', amount,
             'balance_cents', balance, 'at', iso(now), ...)
end

-- Holds ``amount`` of a wallet if it can cover it (``record`` writes the ledger entry, as
-- ``record(kind, amount, now)``); false when it cannot.
local function hold_funds(wallet, record, amount, now)
  if available_in(wallet) < amount then return false end
  redis.call('HINCRBY', wallet, 'held', amount)
  record('hold', amount, now)
  return true
end

-- Gives back a whole hold (``record`` writes the ledger entry, as above).
local function release_hold(wallet, record, hold, now)
  if hold > 0 then
    redis.call('HINCRBY', wallet, 'held', -hold)
    record('release', hold, now)
  end
end

-- Takes ``amount`` from the balance (the hold that covered it released just before).
local function charge(wallet, record, amount, now)
  if amount > 0 then
    redis.call('HINCRBY', wallet, 'balance', -amount)
    record('charge', -amount, now)
  end
end
