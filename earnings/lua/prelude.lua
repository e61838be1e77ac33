--! use common/lua/clock.lua
--! keys: account ledger
-- Shared by the earnings scripts: every one of them has the expert's earnings hash
-- (``account``) and ledger; a script's own names follow.

-- One ledger entry: what moved, and the three balances after it; ``...`` names what it
-- is for (field, value pairs).
local function entry(kind, amount, ...)
  local a, p, o = unpack(redis.call('HMGET', KEY.account, 'available', 'pending', 'paid_out'))
  redis.call('XADD', KEY.ledger, '*', 'kind', kind, 'amount_cents', amount,
             'available_cents', a or '0', 'pending_cents', p or '0', 'paid_out_cents', o or '0',
             'at', iso(now_ms()), ...)
end
