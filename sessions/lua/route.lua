--! use sessions/lua/prelude.lua
-- The router rings an expert for a queued category call. ARGV from 9: expert_id,
-- pricing_mode, rate_cents, hold_cents. KEYS[4] and KEYS[9] are that expert's busy key
-- and index. Fails without a change when the call is no longer queued, the expert was
-- already rung for it or is busy, or the payer's wallet does not cover the expert's price.
-- When KEYS[17] is the expert's profile (ARGV[13] = '1'), the price the router decided on
-- must still be the expert's: else 'price_changed', and the router decides again.
local s = load_session()
if not s then return {'err', STALE and 'conflict' or 'not_found'} end
if s.state ~= 'queued' then return {'err', 'conflict', s.state} end
local expert = ARGV[9]
if redis.call('SISMEMBER', K.rung, expert) == 1 then return {'err', 'conflict', 'rung'} end
if redis.call('EXISTS', K.busy) == 1 then return {'err', 'unavailable'} end
if ARGV[13] == '1' then
  local refused = price_refusal(KEYS[17], ARGV[10], ARGV[11])
  if refused then return refused end
end
local hold = tonumber(ARGV[12])
local now = now_ms()
if hold > 0 and not hold_funds(K.wallet, ledger, hold, now) then
  return {'err', 'insufficient_funds'}
end
-- A sponsored call holds (and later charges) the brand's wallet, never the client's.
local payer = (s.payer_id or '') ~= '' and s.payer_id ~= s.client_id and 'brand' or 'client'
redis.call('SET', K.busy, ID)
redis.call('HSET', K.s, 'state', 'ringing', 'expert_id', expert, 'pricing_mode', ARGV[10],
           'rate_cents', ARGV[11], 'hold_cents', hold, 'paid_by',
           hold > 0 and payer or 'none', 'rung_at', now)
redis.call('ZREM', K.queue, ID)
redis.call('SADD', K.rung, expert)
redis.call('ZADD', K.lastrung, now, expert)
set_deadline('ring', now + CFG.ring_ms)
note('rung', now, '', 'e')
redis.call('ZADD', K.idx_e, now, ID)
return reply('ok')
