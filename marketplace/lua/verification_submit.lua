--! use common/lua/clock.lua
--! keys: request pending open_pairs expert_requests
--! args: id expert display_name category evidence
-- One pending request per expert and category (the caller has checked that the expert is
-- not verified there already: that is in their slot).
local pair = ARG.expert .. '|' .. ARG.category
if redis.call('HSETNX', KEY.open_pairs, pair, ARG.id) == 0 then
  return {'pending', redis.call('HGET', KEY.open_pairs, pair)}
end
local now = now_ms()
redis.call('HSET', KEY.request, 'id', ARG.id, 'expert_id', ARG.expert, 'display_name',
           ARG.display_name, 'category', ARG.category, 'evidence', ARG.evidence,
           'state', 'pending', 'created_at_ms', now)
redis.call('ZADD', KEY.pending, now, ARG.id)
redis.call('ZADD', KEY.expert_requests, now, ARG.id)
return {'ok', ARG.id}
