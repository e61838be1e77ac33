--! use earnings/lua/prelude.lua
-- An admin moves a payout on: approve (requested -> approved), pay (approved -> paid,
-- with the bank transfer's reference) or reject (requested or approved -> rejected, the
-- money back to available). KEYS 3: the payout hash, 4..7: the state indexes in the order
-- requested, approved, paid, rejected. ARGV: action, admin id, reference, expert id,
-- payout id.
local now = now_ms()
local id = ARGV[5]
local index = {requested = KEYS[4], approved = KEYS[5], paid = KEYS[6], rejected = KEYS[7]}
local state, expert, amount = unpack(redis.call('HMGET', KEYS[3], 'state', 'expert_id',
                                                'amount_cents'))
if not state or expert ~= ARGV[4] then return {'err', 'not_found'} end
amount = tonumber(amount)
local action, to = ARGV[1], nil
if action == 'approve' and state == 'requested' then
  to = 'approved'
  redis.call('HSET', KEYS[3], 'approved_at', now, 'approved_by', ARGV[2])
elseif action == 'pay' and state == 'approved' then
  to = 'paid'
  redis.call('HSET', KEYS[3], 'paid_at', now, 'paid_by', ARGV[2], 'reference', ARGV[3])
  redis.call('HINCRBY', E.account, 'pending', -amount)
  redis.call('HINCRBY', E.account, 'paid_out', amount)
  entry('payout_paid', amount, 'payout_id', id,
        'reference', ARGV[3])
elseif action == 'reject' and (state == 'requested' or state == 'approved') then
  to = 'rejected'
  redis.call('HSET', KEYS[3], 'rejected_at', now, 'rejected_by', ARGV[2])
  redis.call('HINCRBY', E.account, 'pending', -amount)
  redis.call('HINCRBY', E.account, 'available', amount)
  entry('payout_rejected', amount, 'payout_id', id)
else
  return {'err', 'conflict', state}
end
local score = redis.call('ZSCORE', index[state], id)
redis.call('ZREM', index[state], id)
redis.call('ZADD', index[to], score or now, id)
redis.call('HSET', KEYS[3], 'state', to)
return {'ok', redis.call('HGETALL', KEYS[3])}
