--! use common/lua/clock.lua
--! keys: favourites
--! args: expert most
-- Adds a favourite unless the client keeps ``most`` already. Re-adding keeps the date.
if redis.call('ZSCORE', KEY.favourites, ARG.expert) then return 1 end
if redis.call('ZCARD', KEY.favourites) >= tonumber(ARG.most) then return 0 end
redis.call('ZADD', KEY.favourites, now_ms(), ARG.expert)
return 1
