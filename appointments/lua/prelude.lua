--! use common/lua/clock.lua
--! use sessions/lua/pricing.lua
--! use sessions/lua/holds.lua
--! use common/lua/records.lua
--! keys: booking active deadlines billing
--! keys: client_index expert_index client_notes expert_notes reliability
--! args: id kept fee_percent lease_ms
-- Shared by every booking script (after the pieces named above). The keys and arguments
-- named here are every booking script's (BookingStore._keys lays them out); a script's
-- own names follow. ``active`` is the expert's bookings still to be met (zset),
-- ``deadlines`` the bookings' deadlines (zset; and the intents ``pay|booking|...`` of the
-- client's money the booking holds, sessions/holds.py), ``billing`` the billing stream, the
-- indexes and notification lists the client's and the expert's, ``reliability`` the
-- expert's counters. ``kept``: notifications kept per account; ``fee_percent``: the
-- platform's fee; ``lease_ms``: how soon a step left unfinished is finished by another.
local ID = ARG.id
local KEPT = tonumber(ARG.kept)
local FEE_PCT = tonumber(ARG.fee_percent)
local NOTES = {}
-- The hold of the client's money this step settles (its 'pay' intent: the caller settles
-- it in the wallet next); '' when none.
local PAID = ''

local function load_booking()
  return load_hash(KEY.booking)
end

-- Every successful script answers: status, the Redis time, the booking, the
-- notifications it stored as {account, json} pairs (for live delivery), and the hold it
-- settles.
local function reply(status)
  local notes = {}
  for _, n in ipairs(NOTES) do
    notes[#notes + 1] = n[1]
    notes[#notes + 1] = n[2]
  end
  return {status, now_ms(), redis.call('HGETALL', KEY.booking), notes, PAID}
end

local function role_of(b, account)
  return party_of(b, account)
end

local function other(role)
  if role == 'client' then return 'expert' end
  return 'client'
end

-- One in-app notification, stored in the account's list in this same atomic step.
local function notify(role, b, kind, now, extra)
  local account = (role == 'client') and b.client_id or b.expert_id
  local body = {id = ID .. '.' .. kind .. '.' .. now, kind = kind, booking_id = ID,
                starts_at = iso(b.start_ms), ends_at = iso(b.end_ms), topic = b.topic,
                at = iso(now)}
  for k, val in pairs(extra or {}) do body[k] = val end
  local text = cjson.encode(body)
  local key = (role == 'client') and KEY.client_notes or KEY.expert_notes
  redis.call('LPUSH', key, text)
  redis.call('LTRIM', key, 0, KEPT - 1)
  NOTES[#NOTES + 1] = {account, text}
end

-- The first booking of the expert's active ones that overlaps [start, end), other than
-- ``except``; members are ``<id>|<end ms>`` scored by start, so no other hash is read.
local function overlapping(start, finish, max_len_ms, except)
  local members = redis.call('ZRANGEBYSCORE', KEY.active, start - max_len_ms, '(' .. finish)
  for _, member in ipairs(members) do
    local id, stop = string.match(member, '^(.-)|(%d+)$')
    if id ~= except and tonumber(stop) > start then return id end
  end
  return nil
end

local function drop_deadlines(b)
  for offset in string.gmatch(b.reminders or '', '[^,]+') do
    redis.call('ZREM', KEY.deadlines, 'remind:' .. offset .. '|' .. ID)
  end
  redis.call('ZREM', KEY.deadlines, 'noshow|' .. ID)
end

local function set_deadlines(b, now)
  for offset in string.gmatch(b.reminders or '', '[^,]+') do
    local at = tonumber(b.start_ms) - tonumber(offset)
    -- A reminder whose moment has already passed when booked is never sent.
    if at > now then redis.call('ZADD', KEY.deadlines, at, 'remind:' .. offset .. '|' .. ID) end
  end
  redis.call('ZADD', KEY.deadlines, tonumber(b.start_ms) + tonumber(b.no_show_ms), 'noshow|' .. ID)
end

-- Release the whole hold and charge ``amount`` of it (the caller settles it in the wallet
-- right after this script; the 'pay' deadline, a lease later, has any process do it if the
-- caller stopped first): returns amount, fee, payout.
local function settle(b, amount, now)
  local hold = tonumber(b.hold_cents)
  if amount > hold then amount = hold end
  if (b.hold_nonce or '') ~= '' then
    PAID = intend_pay(KEY.deadlines, ID, b.client_id, b.hold_nonce, amount,
                      now + tonumber(ARG.lease_ms))
    redis.call('HSET', KEY.booking, 'hold_nonce', '')
  end
  local fee = hc_round_half_up(amount * FEE_PCT, 100)
  redis.call('HSET', KEY.booking, 'amount_cents', amount, 'platform_fee_cents', fee,
             'expert_payout_cents', amount - fee)
  return amount, fee, amount - fee
end

-- The end of a booking that will never be met: out of the expert's calendar, no deadline.
local function close(b, state, now)
  b.state = state
  redis.call('HSET', KEY.booking, 'state', state, 'closed_at', now, 'proposed_start_ms', '',
             'proposed_end_ms', '', 'proposed_by', '')
  redis.call('ZREM', KEY.active, b.active_member)
  drop_deadlines(b)
end

local function billing_event(b, kind, who_field, who, amount, fee, payout, now)
  redis.call('XADD', KEY.billing, '*',
    'event_id', 'evt_' .. ID .. '_' .. kind, 'type', 'booking.' .. kind, 'booking_id', ID,
    'client_id', b.client_id, 'expert_id', b.expert_id, who_field, who,
    'pricing_mode', b.pricing_mode, 'rate_cents', b.rate_cents, 'currency', b.currency,
    'starts_at', iso(b.start_ms), 'ends_at', iso(b.end_ms), 'at', iso(now),
    'held_cents', b.hold_cents, 'amount_cents', amount, 'platform_fee_cents', fee,
    'expert_payout_cents', payout)
end
