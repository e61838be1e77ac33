--! durable
--! use appointments/lua/prelude.lua
--! args: account
-- A participant (``account``) cancels.
local b = load_booking()
if not b then return {'err', 'not_found'} end
local role = role_of(b, ARG.account)
if not role then return {'err', 'forbidden'} end
if b.state ~= 'booked' then return {'err', 'conflict', b.state} end
local now = now_ms()
if now >= tonumber(b.start_ms) then return {'err', 'conflict', 'started'} end
local late = tonumber(b.start_ms) - now < tonumber(b.cancel_notice_ms)
local due = 0
if late and role == 'client' then
  due = hc_round_half_up(tonumber(b.hold_cents) * tonumber(b.late_fee_percent), 100)
end
local amount, fee, payout = settle(b, due, now)
close(b, 'cancelled', now, (late and role == 'expert') and 'late_cancellations' or '')
redis.call('HSET', KEY.booking, 'cancelled_by', role, 'late', late and '1' or '')
if late then
  billing_event(b, 'cancelled', 'cancelled_by', role, amount, fee, payout, now)
end
notify(other(role), b, 'booking.cancelled', now, {cancelled_by = role})
return reply('cancelled')
