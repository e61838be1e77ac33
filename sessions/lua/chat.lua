--! use sessions/lua/prelude.lua
--! args: account sid text kept
-- A chat message from an attached socket; ``kept``: how many messages the chat keeps.
local _, _, refused = attached_in_call(ARG.account, ARG.sid)
if refused then return refused end
return post_chat(ARG.account, ARG.text, nil, ARG.kept)
