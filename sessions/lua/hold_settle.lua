--! durable
--! use sessions/lua/wallet.lua
--! keys: wallet ledger holds settled
--! args: ref session booking charge kept_ms
-- Settles a call's hold (sessions/holds.py): gives all of it back and charges ``charge``
-- of it (never more than it held). Once only: ``ref`` then joins ``settled``, kept
-- ``kept_ms`` (long past any retry), so running this again, or a late take of the same
-- hold, changes nothing. A ref with no hold is settled too: its take, if it comes, is
-- refused. Answers the cents charged.
local now = now_ms()
if redis.call('ZSCORE', KEY.settled, ARG.ref) then return 0 end
redis.call('ZADD', KEY.settled, now, ARG.ref)
redis.call('ZREMRANGEBYSCORE', KEY.settled, '-inf', now - tonumber(ARG.kept_ms))
local hold = tonumber(redis.call('HGET', KEY.holds, ARG.ref) or '0')
if hold == 0 then return 0 end
redis.call('HDEL', KEY.holds, ARG.ref)
local function ledger(kind, amount, at)
  write_ledger(KEY.wallet, KEY.ledger, kind, amount, at, 'session_id', ARG.session,
               'booking_id', ARG.booking)
end
local amount = math.min(tonumber(ARG.charge), hold)
release_hold(KEY.wallet, ledger, hold, now)
charge(KEY.wallet, ledger, amount, now)
return amount
