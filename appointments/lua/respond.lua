--! use appointments/lua/prelude.lua
-- The other side answers a proposal. ARGV from 4: the account, 'accept' or 'decline',
-- max_len_ms. Declining is open to both sides (the proposer withdraws).
local b = load_booking()
if not b then return {'err', 'not_found'} end
local role = role_of(b, ARGV[4])
if not role then return {'err', 'forbidden'} end
if b.state ~= 'booked' or b.proposed_by == '' then return {'err', 'conflict', 'no_proposal'} end
local now = now_ms()
local start, finish = tonumber(b.proposed_start_ms), tonumber(b.proposed_end_ms)
if ARGV[5] == 'decline' then
  redis.call('HSET', K.b, 'proposed_start_ms', '', 'proposed_end_ms', '', 'proposed_by', '')
  notify(other(role), b, 'booking.reschedule_declined', now, {declined_by = role})
  return reply('declined')
end
if role == b.proposed_by then return {'err', 'forbidden_own'} end
if now >= tonumber(b.start_ms) then return {'err', 'conflict', 'started'} end
if start <= now then return {'err', 'too_soon'} end
if overlapping(start, finish, tonumber(ARGV[6]), ID) then return {'err', 'slot_taken'} end
-- The swap: old slot out, new slot in, reminders and no-show moved, all at once.
drop_deadlines(b)
redis.call('ZREM', K.active, b.active_member)
local member = ID .. '|' .. finish
b.start_ms, b.end_ms, b.active_member = tostring(start), tostring(finish), member
redis.call('ZADD', K.active, start, member)
redis.call('ZADD', K.idx_c, start, ID)
redis.call('ZADD', K.idx_e, start, ID)
redis.call('HSET', K.b, 'start_ms', start, 'end_ms', finish, 'active_member', member,
           'proposed_start_ms', '', 'proposed_end_ms', '', 'proposed_by', '')
redis.call('HINCRBY', K.b, 'sequence', 1)
set_deadlines(b, now)
notify(other(role), b, 'booking.rescheduled', now, {accepted_by = role})
return reply('rescheduled')
