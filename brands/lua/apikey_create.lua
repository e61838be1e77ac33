--! use common/lua/clock.lua
--! keys: lookup brand_keys
--! args: brand key_id listing
-- ``listing`` is the key's JSON without its time, which is the Redis time.
local now = now_ms()
local listing = cjson.decode(ARG.listing)
listing['created_at'] = iso(now)
redis.call('HSET', KEY.lookup, 'brand_id', ARG.brand, 'key_id', ARG.key_id)
redis.call('HSET', KEY.brand_keys, ARG.key_id, cjson.encode(listing))
return now
