--! use common/lua/clock.lua
--! keys: request pending decided open_pairs saving log
--! args: decision admin note intent lease_ms
-- ``decision`` is 'approved' or 'rejected'. An approval records ``intent`` a lease ahead in
-- ``saving``: the category still has to join the expert's ``verified`` (their slot) and the
-- indexes to follow (marketplace/index.py), steps any process finishes.
local r = redis.call('HMGET', KEY.request, 'state', 'expert_id', 'category', 'created_at_ms',
                     'id')
if not r[1] then return 'not_found' end
if r[1] ~= 'pending' then return 'decided' end
local now = now_ms()
redis.call('HSET', KEY.request, 'state', ARG.decision, 'decided_by', ARG.admin,
           'decided_at_ms', now, 'note', ARG.note)
redis.call('ZREM', KEY.pending, r[5])
redis.call('ZADD', KEY.decided, r[4], r[5])
redis.call('HDEL', KEY.open_pairs, r[2] .. '|' .. r[3])
if ARG.decision == 'approved' then
  redis.call('ZADD', KEY.saving, now + tonumber(ARG.lease_ms), ARG.intent)
end
redis.call('XADD', KEY.log, '*', 'request_id', r[5], 'expert_id', r[2], 'category', r[3],
           'decision', ARG.decision, 'admin_id', ARG.admin, 'note', ARG.note, 'at', iso(now))
return 'ok'
