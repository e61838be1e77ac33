--! use appointments/lua/prelude.lua
--! args: account answer reservation member
-- The other side (``account``) answers a proposal: ``answer`` is 'accept' or 'decline'.
-- Declining is open to both sides (the proposer withdraws). To accept, the proposed slot
-- was reserved in the expert's calendar just before (``member``, its 'reserve' intent
-- ``reservation``; appointments/steps.py): two bookings racing for it were told apart
-- there. '' when none was (the proposal read then was not one this account could accept).
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
-- The slot reserved must be the one proposed: a new proposal may have come meanwhile.
local member = ARG.member
if string.match(member, '|(%d+)$') ~= tostring(finish) then
  return {'err', 'conflict', 'no_proposal'}
end
if not consume(ARG.reservation) then return {'err', 'conflict', 'expired'} end
-- The swap: the new slot is the booking's, the old one released (a step of its own),
-- reminders and no-show moved, all at once.
drop_deadlines(b)
release(b, b.active_member, '', now)
b.start_ms, b.end_ms, b.active_member = tostring(start), tostring(finish), member
listed(b, start)
redis.call('HSET', KEY.booking, 'start_ms', start, 'end_ms', finish, 'active_member', member,
           'proposed_start_ms', '', 'proposed_end_ms', '', 'proposed_by', '')
redis.call('HINCRBY', KEY.booking, 'sequence', 1)
set_deadlines(b, now)
notify(other(role), b, 'booking.rescheduled', now, {accepted_by = role})
return reply('rescheduled')
