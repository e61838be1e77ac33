--! use sessions/lua/pricing.lua
--! args: mode rate increment cap
-- Test driver: one pricing function of sessions/lua/pricing.lua, as the scripts call it.
return hc_affordable_ms(ARG.mode, tonumber(ARG.rate), tonumber(ARG.increment), tonumber(ARG.cap))
