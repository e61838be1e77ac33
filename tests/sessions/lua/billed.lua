--! use sessions/lua/pricing.lua
--! args: live_ms guarantee increment
-- Test driver: one pricing function of sessions/lua/pricing.lua, as the scripts call it.
return hc_billed_seconds(tonumber(ARG.live_ms), tonumber(ARG.guarantee), tonumber(ARG.increment))
