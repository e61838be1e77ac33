--! keys: brand_keys lookup
--! args: key_id
if not redis.call('HGET', KEY.brand_keys, ARG.key_id) then return 0 end
redis.call('HDEL', KEY.brand_keys, ARG.key_id)
redis.call('DEL', KEY.lookup)
return 1
