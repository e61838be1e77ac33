--! use appointments/lua/prelude.lua
-- One side proposes a new time. ARGV from 4: the account, new start ms, new end ms.
local b = load_booking()
if not b then return {'err', 'not_found'} end
local role = role_of(b, ARGV[4])
if not role then return {'err', 'forbidden'} end
if b.state ~= 'booked' then return {'err', 'conflict', b.state} end
local now = now_ms()
if now >= tonumber(b.start_ms) then return {'err', 'conflict', 'started'} end
if tonumber(ARGV[5]) <= now then return {'err', 'too_soon'} end
redis.call('HSET', K.b, 'proposed_start_ms', ARGV[5], 'proposed_end_ms', ARGV[6],
           'proposed_by', role)
notify(other(role), b, 'booking.reschedule_proposed', now,
       {proposed_by = role, proposed_start = iso(ARGV[5]), proposed_end = iso(ARGV[6])})
return reply('proposed')
