--! use sessions/lua/wallet.lua
-- Reserves a refund: the amount is held in the wallet (so no call or booking can take it
-- meanwhile, and it can never exceed the balance less open holds), and shared out over
-- the wallet's succeeded top-ups, newest first, never past what each one paid.
-- KEYS: 1 wallet, 2 ledger, 3 refund hash, 4 the wallet's refunds zset, 5.. top-up hashes
--       (newest first)
-- ARGV: 1 refund id, 2 amount
-- Returns {'reserved', parts...} (each part `topup_id|intent|cents`),
-- {'insufficient', available} or {'not_refundable', refundable}.
local amount = tonumber(ARGV[2])
local available = available_in(KEYS[1])
if available < amount then return {'insufficient', available} end

-- First pass: plan, without changing anything.
local left, plan, refundable = amount, {}, 0
for i = 5, #KEYS do
  local status, paid, refunded, intent, id = unpack(redis.call(
    'HMGET', KEYS[i], 'status', 'amount', 'refunded', 'intent', 'id'))
  if status == 'succeeded' then
    local room = tonumber(paid) - tonumber(refunded or '0')
    refundable = refundable + math.max(room, 0)
    if room > 0 and left > 0 then
      local take = math.min(room, left)
      plan[#plan + 1] = {KEYS[i], id, intent, take}
      left = left - take
    end
  end
end
if left > 0 then return {'not_refundable', refundable} end

local now = now_ms()
local parts = {}
for _, part in ipairs(plan) do
  redis.call('HINCRBY', part[1], 'refunded', part[4])
  parts[#parts + 1] = part[2] .. '|' .. part[3] .. '|' .. part[4]
end
redis.call('HINCRBY', KEYS[1], 'held', amount)
write_ledger(KEYS[1], KEYS[2], 'hold', amount, now, 'session_id', '', 'refund_id', ARGV[1])
redis.call('HSET', KEYS[3], 'id', ARGV[1], 'amount', amount, 'status', 'reserved',
           'parts', table.concat(parts, ';'), 'refunded', 0, 'created_at', iso(now))
redis.call('ZADD', KEYS[4], now, ARGV[1])
return {'reserved', unpack(parts)}
