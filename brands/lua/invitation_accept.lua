--! keys: invitation brand_experts expert_brands
--! args: expert brand
-- ``brand`` was read just before: the invitation must still name it. Answers 1, or 0 when
-- gone. The invitation goes in the same step: a link works once.
if redis.call('HGET', KEY.invitation, 'brand_id') ~= ARG.brand then return 0 end
redis.call('SADD', KEY.brand_experts, ARG.expert)
redis.call('SADD', KEY.expert_brands, ARG.brand)
redis.call('DEL', KEY.invitation)
return 1
