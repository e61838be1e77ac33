--! keys: clients
--! args: client away_after ttl_ms
-- A ring of this expert went unanswered: remember which client rang (``clients``: the
-- expert's unanswered ones, a set). Answers 1 when rings of ``away_after`` different
-- clients went unanswered in a row (the expert is away; the record starts again), else 0.
-- A client ringing again and again counts once.
redis.call('SADD', KEY.clients, ARG.client)
redis.call('PEXPIRE', KEY.clients, ARG.ttl_ms)
if redis.call('SCARD', KEY.clients) >= tonumber(ARG.away_after) then
  redis.call('DEL', KEY.clients)
  return 1
end
return 0
