--! use common/lua/clock.lua
--! use sessions/lua/pricing.lua
--! use sessions/lua/holds.lua
--! use common/lua/records.lua
--! keys: booking deadlines billing
--! args: id fee_percent lease_ms
-- Shared by every booking script (after the pieces named above). The keys and arguments
-- named here are every booking script's (BookingStore._run lays them out); a script's own
-- names follow. All three are in the booking's bucket's slot (appointments/keys.py):
-- ``deadlines`` its bucket's deadlines (and intents), ``billing`` its bucket's billing
-- stream. ``fee_percent``: the platform's fee; ``lease_ms``: how soon a step left
-- unfinished is finished by another.
--
-- What a script changes outside the slot, the expert's calendar and the accounts' lists,
-- it records as intents due a lease ahead and answers them: the caller takes those steps
-- next, and any process's loop does once they fall due if the caller stopped first
-- (appointments/steps.py).
local ID = ARG.id
local FEE_PCT = tonumber(ARG.fee_percent)
local NOTES = {}
-- The hold of the client's money this step settles (its 'pay' intent: the caller settles
-- it in the wallet next); '' when none.
local PAID = ''
-- The intents this script recorded: the steps the caller takes next.
local OWED = {}
-- What goes to each account's lists: {account = {start = '<ms>' or '', notes = {...}}},
-- and the accounts in the order first named.
local POSTS, POSTED = {}, {}

local function owe(member, now)
  redis.call('ZADD', KEY.deadlines, now + tonumber(ARG.lease_ms), member)
  OWED[#OWED + 1] = member
end

-- The account's list of bookings gets this booking at ``start`` (nil: no change), and its
-- notifications ``text`` (nil: none).
local function post(account, start, text)
  local p = POSTS[account]
  if not p then
    p = {start = '', notes = {}}
    POSTS[account] = p
    POSTED[#POSTED + 1] = account
  end
  if start then p.start = tostring(start) end
  if text then p.notes[#p.notes + 1] = text end
end

local function listed(b, start)
  post(b.client_id, start)
  post(b.expert_id, start)
end

local function load_booking()
  return load_hash(KEY.booking)
end

-- Every successful script answers: status, the Redis time, the booking, the
-- notifications it posts as {account, json} pairs (for live delivery), the hold it
-- settles, and the intents it recorded (the steps owed, each a 'post' per account).
local function reply(status)
  local now = now_ms()
  for _, account in ipairs(POSTED) do
    local p = POSTS[account]
    local notes = #p.notes > 0 and cjson.encode(p.notes) or '[]'
    owe('post|' .. ID .. '|' .. account .. '|' .. p.start .. '|' .. notes, now)
  end
  local notes = {}
  for _, n in ipairs(NOTES) do
    notes[#notes + 1] = n[1]
    notes[#notes + 1] = n[2]
  end
  return {status, now, redis.call('HGETALL', KEY.booking), notes, PAID, OWED}
end

local function role_of(b, account)
  return party_of(b, account)
end

local function other(role)
  if role == 'client' then return 'expert' end
  return 'client'
end

-- One in-app notification, posted to the account's list as a step of its own.
local function notify(role, b, kind, now, extra)
  local account = (role == 'client') and b.client_id or b.expert_id
  local body = {id = ID .. '.' .. kind .. '.' .. now, kind = kind, booking_id = ID,
                starts_at = iso(b.start_ms), ends_at = iso(b.end_ms), topic = b.topic,
                at = iso(now)}
  for k, val in pairs(extra or {}) do body[k] = val end
  local text = cjson.encode(body)
  post(account, nil, text)
  NOTES[#NOTES + 1] = {account, text}
end

-- A slot of the expert's calendar reserved for this booking (``reserve|...``, recorded
-- and taken before the script, appointments/steps.py) is now the booking's: false when
-- the intent is gone, the reservation undone by a reaper after its lease.
local function consume(reservation)
  return redis.call('ZREM', KEY.deadlines, reservation) == 1
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

-- The booking's slot out of the expert's calendar, as a step of its own: ``counter`` the
-- expert's reliability counter it adds one to ('' for none), once.
local function release(b, member, counter, now)
  owe('release|' .. ID .. '|' .. b.expert_id .. '|' .. member .. '|' .. counter, now)
end

-- The end of a booking that will never be met: out of the expert's calendar, no deadline.
local function close(b, state, now, counter)
  b.state = state
  redis.call('HSET', KEY.booking, 'state', state, 'closed_at', now, 'proposed_start_ms', '',
             'proposed_end_ms', '', 'proposed_by', '')
  release(b, b.active_member, counter or '', now)
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
