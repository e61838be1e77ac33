--! use common/lua/clock.lua
--! keys: marker review expert_reviews counting
--! args: id session expert client client_name rating text lease_ms
-- The session's marker (SET NX) makes a session reviewable once. The expert's rating, in
-- their slot, still has to count the review: recorded as ``<id>|1`` (the review's version)
-- in ``counting``, a lease ahead, for any process to finish (marketplace/ratings.py).
if not redis.call('SET', KEY.marker, ARG.id, 'NX') then return {'conflict', 0} end
local now = now_ms()
redis.call('HSET', KEY.review, 'id', ARG.id, 'session_id', ARG.session, 'expert_id', ARG.expert,
           'client_id', ARG.client, 'client_name', ARG.client_name, 'rating', ARG.rating,
           'text', ARG.text, 'created_at_ms', now, 'hidden', '0', 'version', 1)
redis.call('ZADD', KEY.expert_reviews, now, ARG.id)
redis.call('ZADD', KEY.counting, now + tonumber(ARG.lease_ms), ARG.id .. '|1')
return {'ok', now}
