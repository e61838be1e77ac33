-- The price agreed (protocol §7.2) for a booking, checked in the same atomic step that
-- holds money for it (a call's is checked just before its script: sessions/agreed.py).
-- The expert's current price is read where the marketplace keeps it: the ``profile``
-- field (JSON, ``pricing = {mode, amount_cents}``, marketplace/profiles.py) of the hash
-- ``profile_key``. Answers nil when the current price is ``mode`` / ``amount``; else the
-- script's error reply: {'err', 'price_changed', mode, amount}, or {'err', 'unavailable'}
-- when the expert has no profile any more.
local function price_refusal(profile_key, mode, amount)
  local raw = redis.call('HGET', profile_key, 'profile')
  if not raw then return {'err', 'unavailable'} end
  local pricing = cjson.decode(raw).pricing
  local current = tonumber(pricing.amount_cents) or 0
  if pricing.mode ~= mode or current ~= tonumber(amount) then
    return {'err', 'price_changed', pricing.mode, tostring(current)}
  end
  return nil
end
