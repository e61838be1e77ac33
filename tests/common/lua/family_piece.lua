--! keys: record
--! args: id
-- Test piece: the names a family of scripts shares (as sessions/lua/prelude.lua does).
local function shared_part()
  return {KEY.record, ARG.id}
end
