--! use common/lua/clock.lua
--! keys: marker review ratings expert_reviews
--! args: id session expert client client_name rating text
-- The session's marker (SET NX) makes a session reviewable once; the expert's rating sum
-- and count (``ratings``: ``<expert>:sum``, ``<expert>:n``) change with the review.
if not redis.call('SET', KEY.marker, ARG.id, 'NX') then return {'conflict', 0} end
local now = now_ms()
redis.call('HSET', KEY.review, 'id', ARG.id, 'session_id', ARG.session, 'expert_id', ARG.expert,
           'client_id', ARG.client, 'client_name', ARG.client_name, 'rating', ARG.rating,
           'text', ARG.text, 'created_at_ms', now, 'hidden', '0')
redis.call('ZADD', KEY.expert_reviews, now, ARG.id)
redis.call('HINCRBY', KEY.ratings, ARG.expert .. ':sum', ARG.rating)
redis.call('HINCRBY', KEY.ratings, ARG.expert .. ':n', 1)
return {'ok', now}
