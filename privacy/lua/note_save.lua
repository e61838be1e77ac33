--! use common/lua/clock.lua
--! keys: note by_expert about_client
--! args: expert client text
-- An expert's private note on a client: written with both indexes, or erased when the
-- text is empty. Answers the time written (0 when erased).
if ARG.text == '' then
  redis.call('DEL', KEY.note)
  redis.call('ZREM', KEY.by_expert, ARG.client)
  redis.call('ZREM', KEY.about_client, ARG.expert)
  return 0
end
local now = now_ms()
redis.call('HSET', KEY.note, 'text', ARG.text, 'updated_at', now)
redis.call('ZADD', KEY.by_expert, now, ARG.client)
redis.call('ZADD', KEY.about_client, now, ARG.expert)
return now
