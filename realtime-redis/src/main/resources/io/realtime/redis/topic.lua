-- Shared by the broker's scripts. KEYS[1] is a topic's stream, KEYS[2] its state hash:
-- e (epoch), l (id of the newest entry ever added), t (id of the newest entry trimmed away).

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

-- the topic's state; a topic without one starts a new epoch with an empty stream
local function open(new_epoch)
	local state = redis.call('HMGET', KEYS[2], 'e', 'l', 't')
	if state[1] then
		return state[1], state[2], state[3]
	end
	redis.call('DEL', KEYS[1])
	redis.call('HSET', KEYS[2], 'e', new_epoch, 'l', '0-0', 't', '0-0')
	return new_epoch, '0-0', '0-0'
end

-- drop the entries older than the history ttl and return the newest trimmed id
local function expire(ttl, trimmed)
	local time = redis.call('TIME')
	local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
	local cutoff = string.format('%.0f', now - ttl)
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

-- a topic nobody publishes to or reads from disappears after this long
local function keep(idle)
	redis.call('PEXPIRE', KEYS[1], idle)
	redis.call('PEXPIRE', KEYS[2], idle)
end

