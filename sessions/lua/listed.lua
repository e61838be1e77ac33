--! use common/lua/clock.lua
--! keys: index
--! args: id
-- Lists a session in an index (an account's or a brand's sessions) by Redis time, as a
-- step before the script that creates the session or rings an expert for it
-- (sessions/listing.py). NX: a step taken again keeps the first time.
return redis.call('ZADD', KEY.index, 'NX', now_ms(), ARG.id)
