--! use sessions/lua/prelude.lua
-- A chat message from an attached socket. ARGV from 9: account, sid, text, max kept.
local _, _, refused = attached_in_call(ARGV[9], ARGV[10])
if refused then return refused end
return post_chat(ARGV[9], ARGV[11], nil, ARGV[12])
