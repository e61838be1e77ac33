--! use common/lua/clock.lua
-- Shared by the earnings scripts. KEYS 1..2 are always the
-- expert's earnings hash and ledger.
local E = {account = KEYS[1], ledger = KEYS[2]}

-- One ledger entry: what moved, and the three balances after it; ``...`` names what it
-- is for (field, value pairs).
local function entry(kind, amount, ...)
  local a, p, o = unpack(redis.call('HMGET', E.account, 'available', 'pending', 'paid_out'))
  redis.call('XADD', E.ledger, '*', 'kind', kind, 'amount_cents', amount,
             'available_cents', a or '0', 'pending_cents', p or '0', 'paid_out_cents', o or '0',
             'at', iso(now_ms()), ...)
end
