--! use common/lua/clock.lua
--! keys: slug brand all
--! args: id ...fields
-- ``fields`` are field, value pairs. A slug is claimed once (SET NX).
if redis.call('SET', KEY.slug, ARG.id, 'NX') == false then return 0 end
local now = now_ms()
redis.call('HSET', KEY.brand, 'id', ARG.id, 'created_at', now, 'webhook_url', '',
           'webhook_secret', '', unpack(ARG.fields))
redis.call('SADD', KEY.all, ARG.id)
return now
