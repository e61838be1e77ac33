--! keys: index notes
--! args: id start_ms notes kept
-- What a booking step owes an account: booking ``id`` in its list at ``start_ms`` ('': no
-- change), and ``notes`` (a JSON list of notification texts) on its notifications, newest
-- first, the last ``kept`` kept. A text already there is not added again, so posting
-- twice (the caller, then a reaper after a stop) shows each once.
if ARG.start_ms ~= '' then redis.call('ZADD', KEY.index, tonumber(ARG.start_ms), ARG.id) end
local kept = tonumber(ARG.kept)
for _, text in ipairs(cjson.decode(ARG.notes)) do
  if not redis.call('LPOS', KEY.notes, text, 'MAXLEN', kept) then
    redis.call('LPUSH', KEY.notes, text)
  end
end
redis.call('LTRIM', KEY.notes, 0, kept - 1)
