-- Queue one message once: the message's key is claimed first (SET NX, kept for the
-- dedup period), so a retried or repeated enqueue of the same event adds nothing.
-- KEYS: dedup key, stream. ARGV: dedup seconds, then the entry's field/value pairs.
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) == false then return 0 end
local entry = {}
for i = 2, #ARGV do entry[#entry + 1] = ARGV[i] end
redis.call('XADD', KEYS[2], '*', unpack(entry))
return 1
