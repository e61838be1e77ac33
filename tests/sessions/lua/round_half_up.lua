--! use sessions/lua/pricing.lua
--! args: a b
-- Test driver: one pricing function of sessions/lua/pricing.lua, as the scripts call it.
return hc_round_half_up(tonumber(ARG.a), tonumber(ARG.b))
