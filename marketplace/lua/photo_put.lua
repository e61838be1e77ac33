--! use common/lua/clock.lua
--! keys: expert old_photo
-- A new photo's version is the Redis time; the photo kept in Redis before the blob store
-- (``old_photo``) goes.
local now = now_ms()
redis.call('DEL', KEY.old_photo)
redis.call('HSET', KEY.expert, 'photo_at', now)
return now
