--! use tests/common/lua/family_piece.lua
--! keys: own
--! args: ...more
-- Test driver: a script of that family, with names of its own after the shared ones.
local shared = shared_part()
return {shared[1], shared[2], KEY.own, #ARG.more}
