--! use sessions/lua/prelude.lua
-- The side rung (the expert; the client when the expert joined a booking first) accepts
-- from one of their sockets. ARGV from 9: account, sid, proc, start cover seconds.
local s = load_session()
if not s then return {'err', STALE and 'stale' or 'not_found'} end
local rung = (s.rung_role == 'c') and 'c' or 'e'
if role_of(s, ARGV[9]) ~= rung then return {'err', 'forbidden'} end
if not T[s.state]['accept'] then return {'err', 'conflict', s.state} end
local now = now_ms()
if (s.booking_id or '') ~= '' and tonumber(s.hold_cents) == 0 then
  -- A booked call holds its start amount now that the booking's hold is released.
  local rate = tonumber(s.rate_cents)
  local hold = 0
  if s.pricing_mode == 'per_minute' then
    hold = math.floor((rate * tonumber(ARGV[12]) + 59) / 60)
  elseif s.pricing_mode == 'per_session' then
    hold = rate
  end
  if hold > 0 then
    if not hold_funds(K.wallet, ledger, hold, now) then return {'err', 'insufficient_funds'} end
    redis.call('HSET', K.s, 'hold_cents', hold)
  end
end
redis.call('HSET', K.s, 'state', 'accepted', 'accepted_at', now)
note('accepted', now, '', rung)
redis.call('ZREM', K.dl, 'ring|' .. ID)
set_deadline('connect', now + CFG.connect_ms)
redis.call('HSET', K.socks, ARGV[10], rung .. '|' .. ARGV[11])
redis.call('SADD', K.proc, ID .. '|' .. ARGV[10])
return reply('ok')
