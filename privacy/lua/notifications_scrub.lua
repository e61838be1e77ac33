--! keys: notifications
--! args: booking name_field topic
-- An erased person's name (``name_field``: client_name or expert_name) and, for a client,
-- the topic they wrote (``topic`` = '1') leave the other side's notifications of their
-- booking. Each entry keeps its place (LSET): notifications written meanwhile stay.
local items = redis.call('LRANGE', KEY.notifications, 0, -1)
local changed = 0
for i, raw in ipairs(items) do
  local ok, note = pcall(cjson.decode, raw)
  if ok and type(note) == 'table' and note.booking_id == ARG.booking then
    local touched = false
    if (note[ARG.name_field] or '') ~= '' then
      note[ARG.name_field] = ''
      touched = true
    end
    if ARG.topic == '1' and (note.topic or '') ~= '' then
      note.topic = ''
      touched = true
    end
    if touched then
      redis.call('LSET', KEY.notifications, i - 1, cjson.encode(note))
      changed = changed + 1
    end
  end
end
return changed
