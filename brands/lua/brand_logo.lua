--! use common/lua/clock.lua
--! keys: brand old_logo
--! args: url
-- The logo's URL carries its version (Redis time); the logo kept in Redis before the blob
-- store (``old_logo``) goes.
local now = now_ms()
redis.call('DEL', KEY.old_logo)
local url = ARG.url .. '?v=' .. now
redis.call('HSET', KEY.brand, 'logo_url', url)
return url
