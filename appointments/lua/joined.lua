--! durable
--! use appointments/lua/prelude.lua
--! args: account
-- A participant (``account``) joined the booking's call. Once both have
-- joined, the booking is attended: its hold is released (the session meters the call).
local b = load_booking()
if not b then return {'err', 'not_found'} end
local role = role_of(b, ARG.account)
if not role then return {'err', 'forbidden'} end
-- Rejoining after a reconnect, once both were there, changes nothing.
if b.state == 'attended' then return reply('attended') end
if b.state ~= 'booked' then return {'err', 'conflict', b.state} end
local now = now_ms()
local field = 'joined_' .. role .. '_ms'
if b[field] == '' then
  b[field] = tostring(now)
  redis.call('HSET', KEY.booking, field, now)
end
if b.joined_client_ms ~= '' and b.joined_expert_ms ~= '' then
  settle(b, 0, now)
  close(b, 'attended', now, 'attended')
  return reply('attended')
end
return reply('joined')
