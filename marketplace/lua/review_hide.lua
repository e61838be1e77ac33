--! use common/lua/clock.lua
--! keys: review ratings expert_reviews
--! args: hidden admin
-- ``hidden`` '1' hides, '0' shows; the expert's rating counts visible reviews only.
local r = redis.call('HMGET', KEY.review, 'hidden', 'rating', 'created_at_ms', 'id',
                     'expert_id')
if not r[2] then return 'not_found' end
if r[1] == ARG.hidden then return 'unchanged' end
redis.call('HSET', KEY.review, 'hidden', ARG.hidden, 'moderated_by', ARG.admin,
           'moderated_at_ms', now_ms())
local sign = 1
if ARG.hidden == '1' then
  sign = -1
  redis.call('ZREM', KEY.expert_reviews, r[4])
else
  redis.call('ZADD', KEY.expert_reviews, r[3], r[4])
end
redis.call('HINCRBY', KEY.ratings, r[5] .. ':sum', sign * tonumber(r[2]))
redis.call('HINCRBY', KEY.ratings, r[5] .. ':n', sign)
return 'ok'
