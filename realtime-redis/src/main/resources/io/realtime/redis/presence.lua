-- Presence of one topic. KEYS[1]: hash of members, id -> "<join sequence>\n<member>"; KEYS[2]:
-- sorted set of member ids by the Redis time (ms) their renewal runs out; KEYS[3]: the join
-- sequence. ARGV: op, news channel, topic, publish command (SPUBLISH on a cluster), renewal ttl
-- (ms), most members, then the op's own. Every op first lets the members whose instance stopped
-- renewing them leave, with news, so whichever instance comes first tells it once.
local h, z, seq = KEYS[1], KEYS[2], KEYS[3]
local op, channel, topic, publish = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local ttl, max = tonumber(ARGV[5]), tonumber(ARGV[6])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

local function tell(what, value)
	local member = string.sub(value, string.find(value, '\n', 1, true) + 1)
	redis.call(publish, channel, topic .. '\n' .. what .. '\n' .. member)
end

local function drop(id)
	local value = redis.call('HGET', h, id)
	redis.call('HDEL', h, id)
	redis.call('ZREM', z, id)
	if value then
		tell('leave', value)
	end
end

for _, id in ipairs(redis.call('ZRANGEBYSCORE', z, '-inf', now)) do
	drop(id)
end

-- what nobody renews goes by itself
local function keep()
	redis.call('PEXPIRE', h, ttl * 2)
	redis.call('PEXPIRE', z, ttl * 2)
	redis.call('PEXPIRE', seq, ttl * 2)
end

local function add(id, member)
	if redis.call('HLEN', h) >= max then
		return 0
	end
	local value = redis.call('INCR', seq) .. '\n' .. member
	redis.call('HSET', h, id, value)
	redis.call('ZADD', z, now + ttl, id)
	tell('join', value)
	return 1
end

if op == 'join' then
	local held = redis.call('HGET', h, ARGV[7])
	if held then
		-- the same member again is a join replayed (the client retried after a lost answer)
		local member = string.sub(held, string.find(held, '\n', 1, true) + 1)
		return (member == ARGV[8]) and 1 or -1
	end
	local added = add(ARGV[7], ARGV[8])
	keep()
	return added
elseif op == 'leave' then
	drop(ARGV[7])
	return 1
elseif op == 'refresh' then
	-- members lost meanwhile (an outage longer than their ttl) join again
	for i = 7, #ARGV, 2 do
		if redis.call('HEXISTS', h, ARGV[i]) == 1 then
			redis.call('ZADD', z, now + ttl, ARGV[i])
		else
			add(ARGV[i], ARGV[i + 1])
		end
	end
	if redis.call('HLEN', h) > 0 then
		keep()
	end
	return 1
end
return redis.call('HVALS', h)
