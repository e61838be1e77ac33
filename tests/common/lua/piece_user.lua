--! use tests/common/lua/piece.lua
--! keys: log
--! args: note
-- Adds its own names to its piece's (test_lua.py).
local left = take()
redis.call('RPUSH', KEY.log, ARG.note .. ' ' .. left)
return left
