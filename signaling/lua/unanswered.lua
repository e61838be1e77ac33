-- A ring of this expert went unanswered: remember which client rang. Answers 1 when
-- rings of ARGV[2] different clients went unanswered in a row (the expert is away; the
-- record starts again), else 0. A client ringing again and again counts once.
-- KEYS: the expert's unanswered clients (set). ARGV: client, how many clients, ttl ms.
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
