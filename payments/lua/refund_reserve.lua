--! durable
--! use sessions/lua/wallet.lua
--! keys: wallet ledger refund refunds ...topups
--! args: id amount
-- Reserves a refund: the amount is held in the wallet (so no call or booking can take it
-- meanwhile, and it can never exceed the balance less open holds), and shared out over
-- the wallet's succeeded top-ups, newest first, never past what each one paid.
-- ``refunds``: the wallet's refunds (zset); ``topups``: its top-up hashes, newest first.
-- Returns {'reserved', parts...} (each part `topup_id|intent|cents`),
-- {'insufficient', available} or {'not_refundable', refundable}.
local amount = tonumber(ARG.amount)
local available = available_in(KEY.wallet)
if available < amount then return {'insufficient', available} end

-- First pass: plan, without changing anything.
local left, plan, refundable = amount, {}, 0
for _, topup in ipairs(KEY.topups) do
  local status, paid, refunded, intent, id = unpack(redis.call(
    'HMGET', topup, 'status', 'amount', 'refunded', 'intent', 'id'))
  if status == 'succeeded' then
    local room = tonumber(paid) - tonumber(refunded or '0')
    refundable = refundable + math.max(room, 0)
    if room > 0 and left > 0 then
      local take = math.min(room, left)
      plan[#plan + 1] = {topup, id, intent, take}
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
redis.call('HINCRBY', KEY.wallet, 'held', amount)
write_ledger(KEY.wallet, KEY.ledger, 'hold', amount, now, 'session_id', '', 'refund_id', ARG.id)
redis.call('HSET', KEY.refund, 'id', ARG.id, 'amount', amount, 'status', 'reserved',
           'parts', table.concat(parts, ';'), 'refunded', 0, 'created_at', iso(now))
redis.call('ZADD', KEY.refunds, now, ARG.id)
return {'reserved', unpack(parts)}
