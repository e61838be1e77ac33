--! use common/lua/clock.lua
--! keys: review
--! args: expert text
-- One reply per review, by its expert.
local r = redis.call('HMGET', KEY.review, 'expert_id', 'reply_at_ms')
if not r[1] then return 'not_found' end
if r[1] ~= ARG.expert then return 'forbidden' end
if r[2] then return 'conflict' end
redis.call('HSET', KEY.review, 'reply_text', ARG.text, 'reply_at_ms', now_ms())
return 'ok'
