--! use common/lua/clock.lua
--! use sessions/lua/pricing.lua
--! use sessions/lua/holds.lua
--! use common/lua/records.lua
-- Shared by every session script. The loader (common/lua.py) puts the transition table T
-- (rendered from sessions/states.py) first, then the pieces named above.
--
-- The keys and arguments every session script shares (sessions/scripts.py names them); a
-- script's own follow, declared in its header.
--   session: the session hash; socks: its sockets (socket id -> 'c|proc' or 'e|proc');
--   deadlines: the zset of 'kind|session' by due ms (and the intents 'free|session|expert'
--   and 'pay|session|payer|nonce|charge', below); billing: the billing stream;
--   chat: the session's chat list; rung: experts already rung for this session;
--   timeline: what happened, for the receipt (a list). The indexes that list the session,
--   the process's socket index and the category queues are in their owners' slots,
--   written by the caller around the script (sessions/listing.py, sessions/queueing.py).
--! keys: session socks deadlines billing chat rung timeline
--   id: the session id; expert: the expert its keys were named for ('-': none); then the
--   rules in the units the scripts use (lease_ms: how soon a step left unfinished by a
--   stopped process is finished by another).
--! args: id expert guarantee increment connect_ms grace_ms ring_ms low_ms queue_ms lease_ms
local ID = ARG.id
local CFG = {guarantee = tonumber(ARG.guarantee), increment = tonumber(ARG.increment),
             connect_ms = tonumber(ARG.connect_ms), grace_ms = tonumber(ARG.grace_ms),
             ring_ms = tonumber(ARG.ring_ms), low_ms = tonumber(ARG.low_ms),
             queue_ms = tonumber(ARG.queue_ms), lease_ms = tonumber(ARG.lease_ms)}
local DEADLINE_KINDS = {'ring', 'connect', 'grace', 'balance', 'low', 'queue'}
-- At most this many timeline entries per session; the last place is kept for 'ended'.
local TIMELINE_MAX = 100

local PREV = ''
local STALE = false
-- The expert this step let go (its busy flag, in the expert's own slot, is given back by
-- the caller next: sessions/busy.py); '' when none.
local FREED = ''
-- The hold of the payer's money this step settles (its 'pay' intent: the caller settles it
-- in the wallet next, sessions/holds.py); '' when none.
local PAID = ''

-- The caller named the keys from the session's parties read just before; a category
-- call may have changed expert since. Then the script does nothing and answers
-- 'stale', and the caller reads the parties again.
local function load_session()
  local s = load_hash(KEY.session)
  if not s then return nil end
  if s.expert_id ~= '' and ARG.expert ~= s.expert_id then
    STALE = true
    return nil
  end
  PREV = s.state
  return s
end

-- Every successful script answers: status, an extra value (seconds left when a
-- low-balance warning is due), the Redis time, the state before, the session, and the
-- expert it let go, and the hold it settles.
local function reply(status, extra)
  return {status, extra or '', now_ms(), PREV, redis.call('HGETALL', KEY.session), FREED, PAID}
end

-- Puts a socket of ``side`` ('c' or 'e') in the session. ``entries_<side>`` counts every
-- socket that side ever put there: when a process entering the side's relay room reads 1,
-- no other process can hold a stale location of that room, and it tells none
-- (signaling/manager.py).
local function add_socket(side, sid, proc)
  redis.call('HSET', KEY.socks, sid, side .. '|' .. proc)
  redis.call('HINCRBY', KEY.session, 'entries_' .. side, 1)
end

-- Sessions write a side as one letter (socket values, ``media_c``, the timeline's ``by``).
local SIDE = {client = 'c', expert = 'e'}

local function role_of(s, account)
  local party = party_of(s, account)
  return party and SIDE[party]
end

-- The session and the caller's role when the caller takes part in a call in progress
-- (accepted, live or paused); otherwise the error reply as third value.
local function in_call(account)
  local s = load_session()
  if not s then return nil, nil, {'err', STALE and 'stale' or 'not_found'} end
  local role = role_of(s, account)
  if not role then return nil, nil, {'err', 'forbidden'} end
  if s.state ~= 'accepted' and s.state ~= 'live' and s.state ~= 'paused' then
    return nil, nil, {'err', 'conflict', s.state}
  end
  return s, role, nil
end

-- The same, and the caller's socket must be attached to the session.
local function attached_in_call(account, sid)
  local s, role, refused = in_call(account)
  if refused then return nil, nil, refused end
  if redis.call('HEXISTS', KEY.socks, sid) == 0 then return nil, nil, {'err', 'forbidden'} end
  return s, role, nil
end

-- Appends a chat message (keeping the newest ``kept``) and answers it, JSON-encoded.
-- ``file`` describes a shared file; nil for a text message.
local function post_chat(from, text, file, kept)
  local seq = redis.call('HINCRBY', KEY.session, 'chat_seq', 1)
  local message = {message_id = 'm_' .. ID .. '_' .. seq, from = from, text = text,
                   at = iso(now_ms()), file = file}
  local encoded = cjson.encode(message)
  redis.call('RPUSH', KEY.chat, encoded)
  redis.call('LTRIM', KEY.chat, -tonumber(kept), -1)
  return {'ok', encoded}
end

-- One entry of the session's timeline, for its receipt: ``event|ms|cause|by[|until]``
-- (``by``: 'c' or 'e'). Written by the scripts that change the state anyway, so the
-- timeline costs no round trip. Past the cap, only 'ended' is written and the session
-- counts what it left out (``timeline_dropped``).
local function note(event, at, cause, by, extra)
  if event ~= 'ended' and redis.call('LLEN', KEY.timeline) >= TIMELINE_MAX - 1 then
    redis.call('HINCRBY', KEY.session, 'timeline_dropped', 1)
    return
  end
  local entry = event .. '|' .. at .. '|' .. (cause or '') .. '|' .. (by or '')
  if extra then entry = entry .. '|' .. extra end
  redis.call('RPUSH', KEY.timeline, entry)
end

local function live_ms_at(s, at)
  local live = tonumber(s.live_ms)
  if s.live_since ~= '' then live = live + math.max(0, at - tonumber(s.live_since)) end
  return live
end

local function drop_deadlines()
  for _, kind in ipairs(DEADLINE_KINDS) do redis.call('ZREM', KEY.deadlines, kind .. '|' .. ID) end
end

local function set_deadline(kind, at)
  redis.call('ZADD', KEY.deadlines, at, kind .. '|' .. ID)
end

-- The session lets its expert go: the caller gives the busy flag back right after this
-- script, and the 'free' deadline, a lease later, has any reaper do it if the caller
-- stopped first (sessions/busy.py).
local function let_go(expert, now)
  FREED = expert
  redis.call('ZADD', KEY.deadlines, now + CFG.lease_ms, 'free|' .. ID .. '|' .. expert)
end

-- The session now holds ``expert``: the 'free' deadline written before the flag was taken
-- has nothing left to do.
local function hold_expert(expert)
  redis.call('ZREM', KEY.deadlines, 'free|' .. ID .. '|' .. expert)
end

-- The payer's money taken for the session before this script (``nonce``: its hold,
-- ``intent``: the 'pay' deadline written before it, sessions/holds.py) is now the
-- session's: the deadline has nothing left to do. Check ``hold_gone`` once nothing else
-- can refuse, then ``keep_hold``.
local function keep_hold(nonce, intent, cents)
  redis.call('ZREM', KEY.deadlines, intent)
  redis.call('HSET', KEY.session, 'hold_nonce', nonce, 'hold_cents', cents)
end

-- The session lets its hold go, charging ``amount`` of it: the caller settles it in the
-- wallet right after this script, and the 'pay' deadline, a lease later, has any reaper
-- do it if the caller stopped first.
local function pay(s, amount, now)
  if (s.hold_nonce or '') == '' then return end
  PAID = intend_pay(KEY.deadlines, ID, s.payer_id, s.hold_nonce, amount, now + CFG.lease_ms)
  redis.call('HSET', KEY.session, 'hold_nonce', '')
end

-- The wallet deadlines of a live per-minute call: end the call when the hold is spent and
-- warn 60 s before. ``held``: what the hold has grown to, when the caller grew it to all
-- the wallet has left just before (at a 'low' or 'balance' deadline, sessions/holds.py;
-- so two calls can never spend the same money). Answers the seconds left when a warning
-- is due now; without ``held`` the warning waits for a 'low' deadline due now, so that
-- the hold grows first.
local function schedule_balance(s, now, held)
  if s.pricing_mode ~= 'per_minute' or tonumber(s.rate_cents) == 0 then return nil end
  if held and held > tonumber(s.hold_cents) then
    s.hold_cents = tostring(held)
    redis.call('HSET', KEY.session, 'hold_cents', held)
  end
  local affordable = hc_affordable_ms(s.pricing_mode, tonumber(s.rate_cents), CFG.increment,
                                      tonumber(s.hold_cents))
  if affordable < 0 then return nil end
  local left = affordable + 1 - live_ms_at(s, now)
  set_deadline('balance', now + math.max(0, left))
  -- The warning is sent once per call (protocol §3), even if a top-up moves the end.
  if left > CFG.low_ms or (not held and s.low_sent ~= '1') then
    if s.low_sent ~= '1' then set_deadline('low', now + math.max(0, left - CFG.low_ms)) end
  elseif s.low_sent ~= '1' then
    redis.call('HSET', KEY.session, 'low_sent', '1')
    return math.floor(math.max(0, left) / 1000)
  end
  return nil
end

local function go_live(s, now)
  s.state = 'live'
  s.live_since = tostring(now)
  redis.call('HSET', KEY.session, 'state', 'live', 'live_since', now)
  if s.live_started_at == '' then redis.call('HSET', KEY.session, 'live_started_at', now) end
  redis.call('ZREM', KEY.deadlines, 'connect|' .. ID, 'grace|' .. ID)
  note('live', now)
  return schedule_balance(s, now)
end

-- ``at`` is when the connection was last known good (now, or a dead process's last
-- heartbeat); the grace runs from now, when the loss was noticed.
local function pause(s, now, at, cause, by)
  local live = live_ms_at(s, math.min(now, at))
  note('paused', math.min(now, at), cause, by)
  s.state = 'paused'
  s.live_ms = tostring(live)
  s.live_since = ''
  redis.call('HSET', KEY.session, 'state', 'paused', 'live_ms', live, 'live_since', '')
  redis.call('ZREM', KEY.deadlines, 'balance|' .. ID, 'low|' .. ID)
  set_deadline('grace', now + CFG.grace_ms)
end

local function sockets_present()
  local present = {c = false, e = false}
  for _, value in ipairs(redis.call('HVALS', KEY.socks)) do
    present[string.sub(value, 1, 1)] = true
  end
  return present
end

-- Why a live call pauses, for the receipt: a participant without a socket ('dropped'),
-- one who reported its media lost ('media_lost'), or one who came back on a new socket
-- and has not reported its media yet ('rejoined'); and which side.
local function pause_cause(s, present)
  for _, r in ipairs({'c', 'e'}) do
    if not present[r] then return 'dropped', r end
  end
  for _, r in ipairs({'c', 'e'}) do
    if s['media_' .. r] == 'disconnected' then return 'media_lost', r end
  end
  for _, r in ipairs({'c', 'e'}) do
    if s['media_' .. r] ~= 'connected' then return 'rejoined', r end
  end
  return '', ''
end

-- Live exactly while both participants have a socket in the session and both last
-- reported media connected (protocol §3). Answers a low-balance warning when one is due.
local function evaluate(s, now, at)
  if s.state ~= 'accepted' and s.state ~= 'live' and s.state ~= 'paused' then return nil end
  local present = sockets_present()
  local both = present.c and present.e and s.media_c == 'connected' and s.media_e == 'connected'
  if both and T[s.state]['both_connected'] then
    return go_live(s, now)
  elseif not both and s.state == 'live' then
    local cause, by = pause_cause(s, present)
    pause(s, now, at, cause, by)
  end
  return nil
end

-- Takes the expert being rung off a category call and sends it back to the queue,
-- releasing the hold of that expert's price. The queue is in its category's slot: the
-- 'requeue' intent has the caller put the call back at its arrival place next, or a
-- reaper a lease later (sessions/queueing.py).
local function requeue(s, now)
  pay(s, 0, now)
  let_go(s.expert_id, now)
  redis.call('ZREM', KEY.deadlines, 'ring|' .. ID)
  redis.call('HSET', KEY.session, 'state', 'queued', 'expert_id', '', 'hold_cents', 0, 'queue_pos', '')
  redis.call('ZADD', KEY.deadlines, now + CFG.lease_ms, 'requeue|' .. ID)
  note('requeued', now)
  return s.expert_id
end

-- Ends the session: final live time, price, the hold settled and the expert freed (as
-- intents the caller carries out next) and, for every session that reached accepted,
-- exactly one billing event, all in this one atomic step. ``by`` is the side that ended it, when one did ('c' or 'e').
local function finish(s, reason, now, at, by)
  local stop = math.min(now, at or now)
  local live = live_ms_at(s, stop)
  note('ended', now, reason, by, s.state == 'live' and stop or nil)
  local billed, amount, fee, payout = 0, 0, 0, 0
  local hold = tonumber(s.hold_cents)
  if s.accepted_at ~= '' then
    billed, amount, fee, payout = hc_price(live, s.pricing_mode, tonumber(s.rate_cents),
                                           CFG.guarantee, CFG.increment,
                                           tonumber(s.fee_percent), hold)
  end
  pay(s, amount, now)
  redis.call('HSET', KEY.session, 'state', 'ended', 'end_reason', reason, 'ended_at', now,
             'live_ms', live, 'live_since', '', 'billed_seconds', billed, 'amount_cents', amount,
             'platform_fee_cents', fee, 'expert_payout_cents', payout,
             'guarantee_s', CFG.guarantee, 'increment_s', CFG.increment, 'cap_cents', hold)
  drop_deadlines()
  if s.expert_id ~= '' then let_go(s.expert_id, now) end
  if s.accepted_at ~= '' then
    redis.call('XADD', KEY.billing, '*',
      'event_id', 'evt_' .. ID, 'type', 'session.ended', 'session_id', ID,
      'client_id', s.client_id, 'expert_id', s.expert_id, 'brand_id', s.brand_id,
      'paid_by', (amount > 0) and s.paid_by or 'none',
      'pricing_mode', s.pricing_mode, 'rate_cents', s.rate_cents, 'currency', s.currency,
      'accepted_at', iso(s.accepted_at), 'live_started_at', iso(s.live_started_at),
      'ended_at', iso(now), 'live_ms', live, 'billed_seconds', billed,
      'amount_cents', amount, 'platform_fee_cents', fee, 'expert_payout_cents', payout,
      'end_reason', reason, 'booking_id', s.booking_id or '')
  end
end
