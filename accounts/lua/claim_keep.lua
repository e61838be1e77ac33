--! keys: email
--! args: id
-- Step 3 of a sign-up: the email's claim, taken for a while in step 1, is kept for good if
-- it is still this account's (1); 0 when it ran out meanwhile, perhaps claimed by another.
if redis.call('GET', KEY.email) ~= ARG.id then return 0 end
redis.call('PERSIST', KEY.email)
return 1
