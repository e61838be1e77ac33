--! use sessions/lua/pricing.lua
--! args: a b
-- Test driver: one pricing function of sessions/lua/pricing.lua, as the scripts call it.
return hc_floor_div(tonumber(ARG.a), tonumber(ARG.b))
