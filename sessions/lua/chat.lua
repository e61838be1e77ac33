-- A chat message from an attached socket. ARGV from 9: account, sid, text, max kept.
local s = load_session()
if not s then return {'err', STALE and 'stale' or 'not_found'} end
local role = role_of(s, ARGV[9])
if not role then return {'err', 'forbidden'} end
if s.state ~= 'accepted' and s.state ~= 'live' and s.state ~= 'paused' then
  return {'err', 'conflict', s.state}
end
if redis.call('HEXISTS', K.socks, ARGV[10]) == 0 then return {'err', 'forbidden'} end
local seq = redis.call('HINCRBY', K.s, 'chat_seq', 1)
local now = now_ms()
local message = cjson.encode({message_id = 'm_' .. ID .. '_' .. seq, from = ARGV[9],
                              text = ARGV[11], at = iso(now)})
redis.call('RPUSH', K.chat, message)
redis.call('LTRIM', K.chat, -tonumber(ARGV[12]), -1)
return {'ok', message}
