--! use common/lua/clock.lua
--! args: ms
-- Test driver: the shared clock, now and one moment formatted.
return {now_ms(), iso(ARG.ms)}
