--! use common/lua/clock.lua
--! keys: holder deadlines
--! args: member field value ...holding
-- An intent fell due (sessions/intents.py): ``free|session|expert`` (``holder``: the
-- session; ``field`` 'expert_id', ``value`` the expert) or ``pay|holder|payer|nonce|charge``
-- (the session or the booking; 'hold_nonce', the nonce). While the holder still holds
-- what the intent would undo (its state is one of ``holding``, its ``field`` is ``value``)
-- there is nothing to do: the intent goes, and the step that lets it go writes a new one;
-- answers 'held'. Otherwise answers 'due': the step must be taken, and the intent stays
-- until it is, so that a stop in between leaves it to the next reaper.
local due = redis.call('ZSCORE', KEY.deadlines, ARG.member)
if not due or tonumber(due) > now_ms() then return 'gone' end
local state, value = unpack(redis.call('HMGET', KEY.holder, 'state', ARG.field))
if value == ARG.value then
  for _, holding in ipairs(ARG.holding) do
    if state == holding then
      redis.call('ZREM', KEY.deadlines, ARG.member)
      return 'held'
    end
  end
end
return 'due'
