--! use sessions/lua/pricing.lua
--! args: live_ms mode rate guarantee increment fee_percent cap
-- Test driver: one pricing function of sessions/lua/pricing.lua, as the scripts call it.
return {hc_price(tonumber(ARG.live_ms), ARG.mode, tonumber(ARG.rate), tonumber(ARG.guarantee),
                 tonumber(ARG.increment), tonumber(ARG.fee_percent), tonumber(ARG.cap))}
