--! durable
--! use earnings/lua/prelude.lua
--! keys: payout requested approved paid rejected
--! args: action admin reference expert_id payout_id
-- An admin moves a payout on: approve (requested -> approved), pay (approved -> paid,
-- with the bank transfer's ``reference``) or reject (requested or approved -> rejected,
-- the money back to available). The keys named after a state are its index.
local now = now_ms()
local id = ARG.payout_id
local index = {requested = KEY.requested, approved = KEY.approved, paid = KEY.paid,
               rejected = KEY.rejected}
local state, expert, amount = unpack(redis.call('HMGET', KEY.payout, 'state', 'expert_id',
                                                'amount_cents'))
if not state or expert ~= ARG.expert_id then return {'err', 'not_found'} end
amount = tonumber(amount)
local action, to = ARG.action, nil
if action == 'approve' and state == 'requested' then
  to = 'approved'
  redis.call('HSET', KEY.payout, 'approved_at', now, 'approved_by', ARG.admin)
elseif action == 'pay' and state == 'approved' then
  to = 'paid'
  redis.call('HSET', KEY.payout, 'paid_at', now, 'paid_by', ARG.admin,
             'reference', ARG.reference)
  redis.call('HINCRBY', KEY.account, 'pending', -amount)
  redis.call('HINCRBY', KEY.account, 'paid_out', amount)
  entry('payout_paid', amount, 'payout_id', id, 'reference', ARG.reference)
elseif action == 'reject' and (state == 'requested' or state == 'approved') then
  to = 'rejected'
  redis.call('HSET', KEY.payout, 'rejected_at', now, 'rejected_by', ARG.admin)
  redis.call('HINCRBY', KEY.account, 'pending', -amount)
  redis.call('HINCRBY', KEY.account, 'available', amount)
  entry('payout_rejected', amount, 'payout_id', id)
else
  return {'err', 'conflict', state}
end
local score = redis.call('ZSCORE', index[state], id)
redis.call('ZREM', index[state], id)
redis.call('ZADD', index[to], score or now, id)
redis.call('HSET', KEY.payout, 'state', to)
return {'ok', redis.call('HGETALL', KEY.payout)}
