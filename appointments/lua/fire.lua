--! durable
--! use appointments/lua/prelude.lua
--! args: member
-- A booking deadline fell due: ``member`` (remind:<ms>|id or noshow|id).
-- Every process's loop may try; the ZREM below lets exactly one of them act.
local member = ARG.member
local now = now_ms()
local due = redis.call('ZSCORE', KEY.deadlines, member)
if not due or tonumber(due) > now then return {'gone'} end
redis.call('ZREM', KEY.deadlines, member)
local b = load_booking()
if not b or b.state ~= 'booked' then return {'gone'} end
local offset = string.match(member, '^remind:(%d+)|')
if offset then
  local before = {minutes_before = math.floor(tonumber(offset) / 60000),
                  seconds_before = math.floor(tonumber(offset) / 1000)}
  notify('client', b, 'booking.reminder', now, before)
  notify('expert', b, 'booking.reminder', now, before)
  return reply('reminded')
end
local client_in, expert_in = b.joined_client_ms ~= '', b.joined_expert_ms ~= ''
local who, due_cents = 'expert', 0
if not expert_in and not client_in then
  who = 'both'
elseif expert_in then
  who = 'client'
  due_cents = hc_round_half_up(tonumber(b.hold_cents) * tonumber(b.no_show_fee_percent), 100)
end
local amount, fee, payout = settle(b, due_cents, now)
close(b, 'no_show', now, who ~= 'client' and 'no_shows' or '')
redis.call('HSET', KEY.booking, 'no_show_by', who)
billing_event(b, 'no_show', 'no_show_by', who, amount, fee, payout, now)
notify('client', b, 'booking.no_show', now, {no_show_by = who})
notify('expert', b, 'booking.no_show', now, {no_show_by = who})
return reply('no_show')
