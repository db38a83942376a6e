-- Shared by the broker's scripts. KEYS[1] is a topic's stream, KEYS[2] its state hash:
-- e (epoch), c (Redis time the state was created, ms), l (id of the newest entry ever added),
-- t (id of the newest entry trimmed away). Only a publish creates them, and each publish makes
-- both expire together once the topic has been idle a little longer than its history lasts.

local function compare(a, b)
	local am, as = string.match(a, '^(%d+)-(%d+)$')
	local bm, bs = string.match(b, '^(%d+)-(%d+)$')
	am, bm = tonumber(am), tonumber(bm)
	if am ~= bm then
		return (am < bm) and -1 or 1
	end
	as, bs = tonumber(as), tonumber(bs)
	if as ~= bs then
		return (as < bs) and -1 or 1
	end
	return 0
end

-- Redis time in milliseconds
local function now()
	local time = redis.call('TIME')
	return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end

-- this Redis process: a restart or a failover changes it (the run id is 40 hex digits, its first 12
-- are longer than any topic epoch, so the two are never confused)
local function server()
	return string.sub(string.match(redis.call('INFO', 'server'), 'run_id:(%x+)'), 1, 12)
end

-- the topic's state, or nothing when it has no keys; keys that expire together are gone together,
-- so one without the other was deleted by hand and is treated as gone too
local function state()
	local state = redis.call('HMGET', KEYS[2], 'e', 'c', 'l', 't')
	if not state[1] or redis.call('EXISTS', KEYS[1]) == 0 then
		return nil
	end
	-- the creation time is nil in a state an earlier version created
	return state[1], tonumber(state[2]), state[3], state[4]
end

-- drop the entries older than the history ttl and return the newest trimmed id
local function expire(ttl, trimmed)
	local cutoff = string.format('%.0f', now() - ttl)
	local older = redis.call('XREVRANGE', KEYS[1], '(' .. cutoff .. '-0', '-', 'COUNT', 1)
	if #older > 0 then
		redis.call('XTRIM', KEYS[1], 'MINID', cutoff)
		if compare(older[1][1], trimmed) > 0 then
			trimmed = older[1][1]
			redis.call('HSET', KEYS[2], 't', trimmed)
		end
	end
	return trimmed
end

