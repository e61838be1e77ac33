--! use common/lua/clock.lua
--! keys: request pending decided open_pairs verified wants category log
--! args: decision admin note
-- ``decision`` is 'approved' or 'rejected'; approval opens the category at once if the
-- expert's profile asks for it (``wants``: expert -> slugs, comma separated).
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
  redis.call('SADD', KEY.verified, r[3])
  local wanted = ',' .. (redis.call('HGET', KEY.wants, r[2]) or '') .. ','
  if string.find(wanted, ',' .. r[3] .. ',', 1, true) then
    redis.call('SADD', KEY.category, r[2])
  end
end
redis.call('XADD', KEY.log, '*', 'request_id', r[5], 'expert_id', r[2], 'category', r[3],
           'decision', ARG.decision, 'admin_id', ARG.admin, 'note', ARG.note, 'at', iso(now))
return 'ok'
