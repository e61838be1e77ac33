--! keys: busy
--! args: session
-- One expert, one call at a time: takes the expert's busy flag for ``session`` unless
-- another session holds it. Taking it again for the same session changes nothing, so a
-- retried step is harmless. Answers {'ok'} or {'held', holder}.
local holder = redis.call('GET', KEY.busy)
if not holder then
  redis.call('SET', KEY.busy, ARG.session)
  return {'ok'}
end
if holder == ARG.session then return {'ok'} end
return {'held', holder}
