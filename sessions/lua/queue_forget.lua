--! keys: queue queues
--! args: category
-- Forgets a category whose queue is empty, in one step. Read-then-remove from Python
-- could drop a queue that a declined call had just come back to between the two commands:
-- the router would never route that call again.
if redis.call('EXISTS', KEY.queue) == 1 then return 0 end
return redis.call('SREM', KEY.queues, ARG.category)
