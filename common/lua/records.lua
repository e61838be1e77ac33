-- A Redis hash as a Lua table (nil when the key does not exist).
local function load_hash(key)
  local flat = redis.call('HGETALL', key)
  if #flat == 0 then return nil end
  local record = {}
  for i = 1, #flat, 2 do record[flat[i]] = flat[i + 1] end
  return record
end

-- Which side of a session or booking an account is: 'client', 'expert' or nil. A queued
-- category call has no expert yet (``expert_id`` empty), so nobody is its expert.
local function party_of(record, account)
  if account == record.client_id then return 'client' end
  if account == record.expert_id and record.expert_id ~= '' then return 'expert' end
  return nil
end
