--! use appointments/lua/prelude.lua
--! args: account answer max_len_ms
-- The other side (``account``) answers a proposal: ``answer`` is 'accept' or 'decline'.
-- Declining is open to both sides (the proposer withdraws).
local b = load_booking()
if not b then return {'err', 'not_found'} end
local role = role_of(b, ARG.account)
if not role then return {'err', 'forbidden'} end
if b.state ~= 'booked' or b.proposed_by == '' then return {'err', 'conflict', 'no_proposal'} end
local now = now_ms()
local start, finish = tonumber(b.proposed_start_ms), tonumber(b.proposed_end_ms)
if ARG.answer == 'decline' then
  redis.call('HSET', KEY.booking, 'proposed_start_ms', '', 'proposed_end_ms', '', 'proposed_by', '')
  notify(other(role), b, 'booking.reschedule_declined', now, {declined_by = role})
  return reply('declined')
end
if role == b.proposed_by then return {'err', 'forbidden_own'} end
if now >= tonumber(b.start_ms) then return {'err', 'conflict', 'started'} end
if start <= now then return {'err', 'too_soon'} end
if overlapping(start, finish, tonumber(ARG.max_len_ms), ID) then return {'err', 'slot_taken'} end
-- The swap: old slot out, new slot in, reminders and no-show moved, all at once.
drop_deadlines(b)
redis.call('ZREM', KEY.active, b.active_member)
local member = ID .. '|' .. finish
b.start_ms, b.end_ms, b.active_member = tostring(start), tostring(finish), member
redis.call('ZADD', KEY.active, start, member)
redis.call('ZADD', KEY.client_index, start, ID)
redis.call('ZADD', KEY.expert_index, start, ID)
redis.call('HSET', KEY.booking, 'start_ms', start, 'end_ms', finish, 'active_member', member,
           'proposed_start_ms', '', 'proposed_end_ms', '', 'proposed_by', '')
redis.call('HINCRBY', KEY.booking, 'sequence', 1)
set_deadlines(b, now)
notify(other(role), b, 'booking.rescheduled', now, {accepted_by = role})
return reply('rescheduled')
