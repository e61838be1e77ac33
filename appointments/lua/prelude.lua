--! use sessions/lua/pricing.lua
--! use sessions/lua/wallet.lua
--! use sessions/lua/agreed.lua
--! use common/lua/records.lua
-- Shared by every booking script (after the pieces named above).
--
-- KEYS, the same for every booking script:
--   1 booking hash  2 expert's active bookings zset  3 booking deadlines zset
--   4 client wallet hash  5 client ledger stream  6 billing stream
--   7 client's bookings index  8 expert's bookings index
--   9 client notifications list  10 expert notifications list  11 expert reliability hash
-- ARGV 1..3, the same for every script: booking id, notifications kept, platform fee
-- percent; the script's own arguments follow from ARGV[4].
local K = {b = KEYS[1], active = KEYS[2], dl = KEYS[3], wallet = KEYS[4], ledger = KEYS[5],
           billing = KEYS[6], idx_c = KEYS[7], idx_e = KEYS[8], note_c = KEYS[9],
           note_e = KEYS[10], rel = KEYS[11]}
local ID = ARGV[1]
local KEPT = tonumber(ARGV[2])
local FEE_PCT = tonumber(ARGV[3])
local NOTES = {}

local function load_booking()
  return load_hash(K.b)
end

-- Every successful script answers: status, the Redis time, the booking, and the
-- notifications it stored as {account, json} pairs (for live delivery).
local function reply(status)
  local notes = {}
  for _, n in ipairs(NOTES) do
    notes[#notes + 1] = n[1]
    notes[#notes + 1] = n[2]
  end
  return {status, now_ms(), redis.call('HGETALL', K.b), notes}
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
  local key = (role == 'client') and K.note_c or K.note_e
  redis.call('LPUSH', key, text)
  redis.call('LTRIM', key, 0, KEPT - 1)
  NOTES[#NOTES + 1] = {account, text}
end

local function ledger(kind, amount, now)
  write_ledger(K.wallet, K.ledger, kind, amount, now, 'session_id', ID, 'booking_id', ID)
end

-- The first booking of the expert's active ones that overlaps [start, end), other than
-- ``except``; members are ``<id>|<end ms>`` scored by start, so no other hash is read.
local function overlapping(start, finish, max_len_ms, except)
  local members = redis.call('ZRANGEBYSCORE', K.active, start - max_len_ms, '(' .. finish)
  for _, member in ipairs(members) do
    local id, stop = string.match(member, '^(.-)|(%d+)$')
    if id ~= except and tonumber(stop) > start then return id end
  end
  return nil
end

local function drop_deadlines(b)
  for offset in string.gmatch(b.reminders or '', '[^,]+') do
    redis.call('ZREM', K.dl, 'remind:' .. offset .. '|' .. ID)
  end
  redis.call('ZREM', K.dl, 'noshow|' .. ID)
end

local function set_deadlines(b, now)
  for offset in string.gmatch(b.reminders or '', '[^,]+') do
    local at = tonumber(b.start_ms) - tonumber(offset)
    -- A reminder whose moment has already passed when booked is never sent.
    if at > now then redis.call('ZADD', K.dl, at, 'remind:' .. offset .. '|' .. ID) end
  end
  redis.call('ZADD', K.dl, tonumber(b.start_ms) + tonumber(b.no_show_ms), 'noshow|' .. ID)
end

-- Release the whole hold and charge ``amount`` of it: returns amount, fee, payout.
local function settle(b, amount, now)
  local hold = tonumber(b.hold_cents)
  release_hold(K.wallet, ledger, hold, now)
  if amount > hold then amount = hold end
  charge(K.wallet, ledger, amount, now)
  local fee = hc_round_half_up(amount * FEE_PCT, 100)
  redis.call('HSET', K.b, 'amount_cents', amount, 'platform_fee_cents', fee,
             'expert_payout_cents', amount - fee)
  return amount, fee, amount - fee
end

-- The end of a booking that will never be met: out of the expert's calendar, no deadline.
local function close(b, state, now)
  b.state = state
  redis.call('HSET', K.b, 'state', state, 'closed_at', now, 'proposed_start_ms', '',
             'proposed_end_ms', '', 'proposed_by', '')
  redis.call('ZREM', K.active, b.active_member)
  drop_deadlines(b)
end

local function billing_event(b, kind, who_field, who, amount, fee, payout, now)
  redis.call('XADD', K.billing, '*',
    'event_id', 'evt_' .. ID .. '_' .. kind, 'type', 'booking.' .. kind, 'booking_id', ID,
    'client_id', b.client_id, 'expert_id', b.expert_id, who_field, who,
    'pricing_mode', b.pricing_mode, 'rate_cents', b.rate_cents, 'currency', b.currency,
    'starts_at', iso(b.start_ms), 'ends_at', iso(b.end_ms), 'at', iso(now),
    'held_cents', b.hold_cents, 'amount_cents', amount, 'platform_fee_cents', fee,
    'expert_payout_cents', payout)
end
