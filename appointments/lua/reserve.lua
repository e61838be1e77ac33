--! keys: active
--! args: id start_ms member max_len_ms
-- A slot of the expert's calendar for booking ``id`` (``member``: ``<id>|<nonce>|<end ms>``,
-- scored by ``start_ms``), unless another booking of theirs still to be met overlaps it:
-- two clients racing for one slot, whichever step runs second is refused. The booking's
-- own slots never count (a new time may overlap the old). Answers 1, or 0 when taken.
-- Taking it again changes nothing. Members are read alone, no other hash: the end is in
-- each (layout 10's ``<id>|<end ms>`` too).
local start = tonumber(ARG.start_ms)
local finish = tonumber(string.match(ARG.member, '|(%d+)$'))
local members = redis.call('ZRANGEBYSCORE', KEY.active, start - tonumber(ARG.max_len_ms),
                           '(' .. finish)
for _, member in ipairs(members) do
  local id, stop = string.match(member, '^(.-)|.-(%d+)$')
  if id ~= ARG.id and tonumber(stop) > start then return 0 end
end
redis.call('ZADD', KEY.active, start, ARG.member)
return 1
