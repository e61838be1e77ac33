--! use common/lua/clock.lua
--! keys: open request
--! args: id client category topic ttl_ms most
-- Leaves a callback request: expired ones go first, a client has one open per category,
-- and past ``most`` the oldest are dropped.
local now = now_ms()
redis.call('ZREMRANGEBYSCORE', KEY.open, '-inf', now - tonumber(ARG.ttl_ms))
for _, id in ipairs(redis.call('ZRANGE', KEY.open, 0, -1)) do
  if redis.call('HGET', 'hc:{0}:callback:' .. id, 'client_id') == ARG.client then
    return {'err', 'conflict'}
  end
end
redis.call('HSET', KEY.request, 'id', ARG.id, 'client_id', ARG.client, 'category', ARG.category,
           'topic', ARG.topic, 'created_at', now, 'taken_by', '')
redis.call('PEXPIRE', KEY.request, ARG.ttl_ms)
redis.call('ZADD', KEY.open, now, ARG.id)
redis.call('ZREMRANGEBYRANK', KEY.open, 0, -tonumber(ARG.most) - 1)
return {'ok', now}
