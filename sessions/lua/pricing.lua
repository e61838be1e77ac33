-- Protocol §4 pricing, the twin of sessions/pricing.py (tests/sessions/test_pricing_lua.py
-- holds them together). Local functions only: this text is prepended to session scripts.
-- Lua numbers are doubles; every value here stays an integer far below 2^53, and every
-- division goes through hc_floor_div, whose result is exact in that range.

-- floor(n / d) for integers n >= 0 and d > 0 with n + d < 2^53. Exact, not approximately so:
-- a quotient that is not an integer lies at least 1/d below the next integer k, while the
-- division's rounding error is under k * 2^-53, which is below 1/d as long as k * d < 2^53.
local function hc_floor_div(n, d)
  return math.floor(n / d)
end

-- n / d to the nearest integer, halves up, for n >= 0 and d > 0.
local function hc_round_half_up(n, d)
  return hc_floor_div(2 * n + d, 2 * d)
end

local function hc_billed_seconds(live_ms, guarantee_s, increment_s)
  if live_ms <= 0 then
    return 0
  end
  local seconds = hc_floor_div(live_ms, 1000)
  -- The guarantee compares the live seconds as measured, before any rounding up.
  if seconds == 0 or seconds < guarantee_s then
    return 0
  end
  return hc_floor_div(seconds + increment_s - 1, increment_s) * increment_s
end

-- returns billed_seconds, amount_cents, fee_cents, payout_cents; cap_cents < 0 means no cap
local function hc_price(live_ms, mode, rate_cents, guarantee_s, increment_s, fee_pct, cap_cents)
  local billed = hc_billed_seconds(live_ms, guarantee_s, increment_s)
  local amount = 0
  if mode == 'per_minute' then
    amount = hc_round_half_up(billed * rate_cents, 60)
  elseif mode == 'per_session' then
    if billed > 0 then
      amount = rate_cents
    end
  elseif mode ~= 'free' then
    error('unknown pricing mode: ' .. tostring(mode))
  end
  if cap_cents ~= nil and cap_cents >= 0 and amount > cap_cents then
    amount = cap_cents
  end
  local fee = hc_round_half_up(amount * fee_pct, 100)
  return billed, amount, fee, amount - fee
end

-- returns the affordable live ms, or -1 for unlimited
local function hc_affordable_ms(mode, rate_cents, increment_s, budget_cents)
  if mode ~= 'per_minute' then
    if mode ~= 'per_session' and mode ~= 'free' then
      error('unknown pricing mode: ' .. tostring(mode))
    end
    return -1
  end
  if rate_cents <= 0 then
    return -1
  end
  if budget_cents < 0 then
    budget_cents = 0
  end
  -- round_half_up(s * rate, 60) <= budget  <=>  s * rate <= 60 * budget + 29.
  local most_seconds = hc_floor_div(60 * budget_cents + 29, rate_cents)
  local seconds = hc_floor_div(most_seconds, increment_s) * increment_s
  -- Billing floors to whole seconds, so the last 999 ms of that second are still covered.
  return seconds * 1000 + 999
end
