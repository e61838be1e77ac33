-- An expert's private note on a client: written with both indexes, or erased when empty.
-- KEYS: the note hash, the expert's index (client -> ms), the client's index (expert -> ms).
-- ARGV: expert id, client id, text ('' erases). Answers the time written (0 when erased).
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[3] == '' then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[2])
  redis.call('ZREM', KEYS[3], ARGV[1])
  return 0
end
redis.call('HSET', KEYS[1], 'text', ARGV[3], 'updated_at', now)
redis.call('ZADD', KEYS[2], now, ARGV[2])
redis.call('ZADD', KEYS[3], now, ARGV[1])
return now
