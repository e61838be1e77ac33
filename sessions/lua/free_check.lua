--! use common/lua/clock.lua
--! keys: session deadlines
--! args: member expert ...holding
-- A ``free|session|expert`` deadline fell due. While the session still holds the expert
-- (its state is one of ``holding``, with them), there is nothing to free: the deadline
-- goes, and the step that ends the call writes a new one. Otherwise the expert's flag may
-- still name the session: answers 'free', and the deadline stays until the flag is given
-- back, so that a stop in between leaves it to the next reaper.
local due = redis.call('ZSCORE', KEY.deadlines, ARG.member)
if not due or tonumber(due) > now_ms() then return 'gone' end
local state, expert = unpack(redis.call('HMGET', KEY.session, 'state', 'expert_id'))
if expert == ARG.expert then
  for _, holding in ipairs(ARG.holding) do
    if state == holding then
      redis.call('ZREM', KEY.deadlines, ARG.member)
      return 'held'
    end
  end
end
return 'free'
