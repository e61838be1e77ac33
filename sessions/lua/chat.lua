-- A chat message from an attached socket. ARGV from 9: account, sid, text, max kept.
local _, _, refused = attached_in_call(ARGV[9], ARGV[10])
if refused then return refused end
local seq = redis.call('HINCRBY', K.s, 'chat_seq', 1)
local now = now_ms()
local message = cjson.encode({message_id = 'm_' .. ID .. '_' .. seq, from = ARGV[9],
                              text = ARGV[11], at = iso(now)})
redis.call('RPUSH', K.chat, message)
redis.call('LTRIM', K.chat, -tonumber(ARGV[12]), -1)
return {'ok', message}
