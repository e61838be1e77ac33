--! durable
--! use sessions/lua/prelude.lua
--! args: member held
-- A deadline fell due: ``member`` is the deadline (kind|session id). Every reaper
-- may try; the ZREM below lets exactly one of them act. ``held``: for a 'balance' or 'low'
-- deadline, what the hold has grown to just before (sessions/holds.py); '' otherwise.
local member = ARG.member
local now = now_ms()
local due = redis.call('ZSCORE', KEY.deadlines, member)
if not due or tonumber(due) > now then return {'gone'} end
local s = load_session()
if STALE then return {'err', 'stale'} end
redis.call('ZREM', KEY.deadlines, member)
if not s then return {'gone'} end
local kind = string.match(member, '^(%a+)|')
if kind == 'ring' and s.state == 'ringing' then
  if s.category ~= '' and now < tonumber(s.created_at) + CFG.queue_ms then
    return reply('requeued', requeue(s, now) .. '|no_answer')
  end
  finish(s, 'no_answer', now)
  return reply('ended')
elseif kind == 'connect' and s.state == 'accepted' then
  finish(s, 'failed', now)
  return reply('ended')
elseif kind == 'grace' and s.state == 'paused' then
  finish(s, 'dropped', now)
  return reply('ended')
elseif kind == 'queue' and s.state == 'queued' then
  finish(s, 'declined', now)
  return reply('ended')
elseif (kind == 'balance' or kind == 'low') and s.state == 'live' then
  -- A top-up since the deadline was set moves it later; otherwise the credit is spent.
  local low = schedule_balance(s, now, tonumber(ARG.held) or tonumber(s.hold_cents))
  if kind == 'low' then return reply('low', low) end
  local affordable = hc_affordable_ms(s.pricing_mode, tonumber(s.rate_cents), CFG.increment,
                                      tonumber(s.hold_cents))
  local live = live_ms_at(s, now)
  if affordable >= 0 and live > affordable then
    -- Bill up to the moment the credit ran out, not to when the reaper got here.
    finish(s, 'balance_exhausted', now, now - (live - affordable))
    return reply('ended')
  end
  return reply('rescheduled')
end
return {'gone'}
