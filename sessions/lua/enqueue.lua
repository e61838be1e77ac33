--! use sessions/lua/prelude.lua
--! args: client_id category topic max_rate_cents currency fee_percent sid proc brand_id payer_id
-- A client asks for any expert of a category. ``max_rate_cents``: '' for none;
-- ``payer_id``: the client, or the brand that sponsors the call.
if redis.call('EXISTS', KEY.session) == 1 then return {'err', 'conflict'} end
local now = now_ms()
redis.call('HSET', KEY.session, 'id', ID, 'state', 'queued', 'end_reason', '',
           'client_id', ARG.client_id, 'expert_id', '', 'topic', ARG.topic,
           'pricing_mode', 'free', 'rate_cents', 0, 'currency', ARG.currency,
           'fee_percent', ARG.fee_percent, 'hold_cents', 0, 'brand_id', ARG.brand_id,
           'paid_by', 'none', 'category', ARG.category, 'payer_id', ARG.payer_id,
           'max_rate_cents', ARG.max_rate_cents, 'created_at', now, 'rung_at', '', 'accepted_at', '',
           'live_started_at', '', 'live_since', '', 'live_ms', 0, 'ended_at', '',
           'media_c', '', 'media_e', '', 'low_sent', '', 'queue_pos', '', 'billed_seconds', 0,
           'amount_cents', 0, 'platform_fee_cents', 0, 'expert_payout_cents', 0)
add_socket('c', ARG.sid, ARG.proc)
set_deadline('queue', now + CFG.queue_ms)
note('queued', now, '', 'c')
return reply('ok')
