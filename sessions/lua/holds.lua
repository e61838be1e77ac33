-- The payer's money a call or a booking holds, seen from the script that keeps it: the
-- hold itself is taken and settled in the wallet's keys, as steps of their own
-- (sessions/holds.py). Shared by the session and the booking scripts.

-- A hold taken just before this script is kept only while its intent is still in
-- ``deadlines``: answers the refusal when it is gone (a reaper found the step late and gave
-- the money back), nil otherwise.
local function hold_gone(deadlines, intent)
  if not redis.call('ZSCORE', deadlines, intent) then return {'err', 'conflict', 'expired'} end
  return nil
end

-- The intent that settles hold ``nonce`` of ``owner`` (a session, a booking) in ``payer``'s
-- wallet, charging ``amount`` of it, due at ``at``: the caller settles it right after the
-- script, and any process does at ``at`` if the caller stopped first. Answers the intent.
local function intend_pay(deadlines, owner, payer, nonce, amount, at)
  local member = 'pay|' .. owner .. '|' .. payer .. '|' .. nonce .. '|' .. amount
  redis.call('ZADD', deadlines, at, member)
  return member
end
