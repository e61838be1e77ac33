--! use appointments/lua/prelude.lua
--! args: account start_ms end_ms
-- One side (``account``) proposes a new time.
local b = load_booking()
if not b then return {'err', 'not_found'} end
local role = role_of(b, ARG.account)
if not role then return {'err', 'forbidden'} end
if b.state ~= 'booked' then return {'err', 'conflict', b.state} end
local now = now_ms()
if now >= tonumber(b.start_ms) then return {'err', 'conflict', 'started'} end
if tonumber(ARG.start_ms) <= now then return {'err', 'too_soon'} end
redis.call('HSET', KEY.booking, 'proposed_start_ms', ARG.start_ms,
           'proposed_end_ms', ARG.end_ms, 'proposed_by', role)
notify(other(role), b, 'booking.reschedule_proposed', now,
       {proposed_by = role, proposed_start = iso(ARG.start_ms),
        proposed_end = iso(ARG.end_ms)})
return reply('proposed')
