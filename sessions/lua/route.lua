--! durable
--! use sessions/lua/prelude.lua
--! args: expert_id pricing_mode rate_cents hold_cents hold_nonce hold_intent
-- The router rings an expert for a queued category call; their busy flag is already
-- taken for this session (sessions/busy.py).
-- Fails without a change when the call is no longer queued, the expert was already rung
-- for it, or the payer's wallet does not cover the expert's price (the price the router
-- decided on is checked just before: sessions/agreed.py). ``hold_nonce`` and
-- ``hold_intent``: the hold taken just before, as for start.lua.
local s = load_session()
if not s then return {'err', STALE and 'conflict' or 'not_found'} end
if s.state ~= 'queued' then return {'err', 'conflict', s.state} end
local expert = ARG.expert_id
if redis.call('SISMEMBER', KEY.rung, expert) == 1 then return {'err', 'conflict', 'rung'} end
local hold = tonumber(ARG.hold_cents)
if hold > 0 then
  if ARG.hold_nonce == '' then return {'err', 'insufficient_funds'} end
  local gone = hold_gone(KEY.deadlines, ARG.hold_intent)
  if gone then return gone end
end
local now = now_ms()
-- A sponsored call holds (and later charges) the brand's wallet, never the client's.
local payer = (s.payer_id or '') ~= '' and s.payer_id ~= s.client_id and 'brand' or 'client'
hold_expert(expert)
redis.call('HSET', KEY.session, 'state', 'ringing', 'expert_id', expert,
           'pricing_mode', ARG.pricing_mode, 'rate_cents', ARG.rate_cents, 'hold_cents', hold,
           'paid_by', hold > 0 and payer or 'none', 'rung_at', now)
if hold > 0 then keep_hold(ARG.hold_nonce, ARG.hold_intent, hold) end
redis.call('SADD', KEY.rung, expert)
set_deadline('ring', now + CFG.ring_ms)
note('rung', now, '', 'e')
return reply('ok')
