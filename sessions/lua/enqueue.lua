--! use sessions/lua/prelude.lua
-- A client asks for any expert of a category. ARGV from 9: client_id, category, topic,
-- max_rate_cents ('' for none), currency, fee_percent, sid, proc, brand_id, payer_id (the
-- client, or the brand that sponsors the call).
if redis.call('EXISTS', K.s) == 1 then return {'err', 'conflict'} end
local now = now_ms()
redis.call('HSET', K.s, 'id', ID, 'state', 'queued', 'end_reason', '', 'client_id', ARGV[9],
           'expert_id', '', 'topic', ARGV[11], 'pricing_mode', 'free', 'rate_cents', 0,
           'currency', ARGV[13], 'fee_percent', ARGV[14], 'hold_cents', 0,
           'brand_id', ARGV[17], 'paid_by', 'none', 'category', ARGV[10], 'payer_id', ARGV[18],
           'max_rate_cents', ARGV[12], 'created_at', now, 'rung_at', '', 'accepted_at', '',
           'live_started_at', '', 'live_since', '', 'live_ms', 0, 'ended_at', '',
           'media_c', '', 'media_e', '', 'low_sent', '', 'queue_pos', '', 'billed_seconds', 0,
           'amount_cents', 0, 'platform_fee_cents', 0, 'expert_payout_cents', 0)
redis.call('HSET', K.socks, ARGV[15], 'c|' .. ARGV[16])
redis.call('SADD', K.proc, ID .. '|' .. ARGV[15])
redis.call('ZADD', K.queue, now, ID)
redis.call('SADD', K.queues, ARGV[10])
set_deadline('queue', now + CFG.queue_ms)
note('queued', now, '', 'c')
redis.call('ZADD', K.idx_c, now, ID)
if ARGV[17] ~= '' then redis.call('ZADD', K.brand, now, ID) end
return reply('ok')
