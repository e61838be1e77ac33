--! use common/lua/clock.lua
--! keys: active
--! args: within_ms max_len_ms
-- Whether a booking of the expert still to be met (``active``: ``<id>|<end ms>`` scored by
-- start) starts before now + ``within_ms`` and has not ended yet.
local now = now_ms()
local members = redis.call('ZRANGEBYSCORE', KEY.active, now - ARG.max_len_ms,
                           now + ARG.within_ms)
for _, member in ipairs(members) do
  local stop = tonumber(string.match(member, '|(%d+)$'))
  if stop > now then return 1 end
end
return 0
