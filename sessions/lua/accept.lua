--! durable
--! use sessions/lua/prelude.lua
--! args: account sid proc start_cover_seconds hold_nonce hold_intent
-- The side rung (the expert; the client when the expert joined a booking first) accepts
-- from one of their sockets. A booked call holds its own money now: without a hold taken
-- for it (``hold_nonce``, ``hold_intent``: as for start.lua), the script answers
-- {'hold', cents} and changes nothing; the caller takes it and calls again.
local s = load_session()
if not s then return {'err', STALE and 'stale' or 'not_found'} end
local rung = (s.rung_role == 'c') and 'c' or 'e'
if role_of(s, ARG.account) ~= rung then return {'err', 'forbidden'} end
if not T[s.state]['accept'] then return {'err', 'conflict', s.state} end
local now = now_ms()
if (s.booking_id or '') ~= '' and tonumber(s.hold_cents) == 0 then
  -- A booked call holds its start amount now that the booking's hold is released.
  local rate = tonumber(s.rate_cents)
  local hold = 0
  if s.pricing_mode == 'per_minute' then
    hold = math.floor((rate * tonumber(ARG.start_cover_seconds) + 59) / 60)
  elseif s.pricing_mode == 'per_session' then
    hold = rate
  end
  if hold > 0 then
    if ARG.hold_nonce == '' then return {'hold', hold} end
    local gone = hold_gone(KEY.deadlines, ARG.hold_intent)
    if gone then return gone end
    keep_hold(ARG.hold_nonce, ARG.hold_intent, hold)
  end
end
redis.call('HSET', KEY.session, 'state', 'accepted', 'accepted_at', now)
note('accepted', now, '', rung)
redis.call('ZREM', KEY.deadlines, 'ring|' .. ID)
set_deadline('connect', now + CFG.connect_ms)
add_socket(rung, ARG.sid, ARG.proc)
return reply('ok')
