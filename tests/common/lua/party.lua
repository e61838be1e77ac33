--! use common/lua/records.lua
--! keys: record
--! args: account
-- Test driver: whose side an account is on in a stored session or booking ('' for none,
-- 'missing' when the record does not exist).
local record = load_hash(KEY.record)
if not record then return 'missing' end
return party_of(record, ARG.account) or ''
