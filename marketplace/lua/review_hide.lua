--! use common/lua/clock.lua
--! keys: review expert_reviews counting
--! args: hidden admin lease_ms
-- ``hidden`` '1' hides, '0' shows. The expert's rating counts visible reviews only: each
-- change is a new version of the review, which the rating (in the expert's slot) must
-- catch up with, recorded in ``counting`` as for a new review. Answers the version
-- (a review from before versions is version 1).
local r = redis.call('HMGET', KEY.review, 'hidden', 'rating', 'created_at_ms', 'id',
                     'version')
if not r[2] then return {'not_found', 0} end
if r[1] == ARG.hidden then return {'unchanged', 0} end
local version = tonumber(r[5] or '1') + 1
local now = now_ms()
redis.call('HSET', KEY.review, 'hidden', ARG.hidden, 'moderated_by', ARG.admin,
           'moderated_at_ms', now, 'version', version)
if ARG.hidden == '1' then
  redis.call('ZREM', KEY.expert_reviews, r[4])
else
  redis.call('ZADD', KEY.expert_reviews, r[3], r[4])
end
redis.call('ZADD', KEY.counting, now + tonumber(ARG.lease_ms), r[4] .. '|' .. version)
return {'ok', version}
