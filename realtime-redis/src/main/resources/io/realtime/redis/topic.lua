-- Shared by the broker's scripts. KEYS[1] is a topic's stream, KEYS[2] its state hash:
-- e (the seed of the topic's epoch), c (Redis time the state was created, ms), l (id of the
-- newest entry ever added), t (id of the newest entry trimmed away). Only a publish creates them,
-- and each publish makes both expire together once the topic has been idle a little longer than
-- its history lasts.
--
-- The epoch clients see is drawn from the seed and the lineage of the Redis data: the master's
-- replication id. Replication is asynchronous, so a promoted replica may lack entries its master
-- acknowledged, and would then hand their ids out again for other messages; its new replication
-- id gives every topic a new epoch instead, so positions of the old master are answered with a
-- reset (continue from the oldest entry held), never resumed over the lost entries, and no id is
-- ever issued twice. Redis draws a new replication id when
--   * a replica is promoted (REPLICAOF NO ONE, Sentinel, Cluster failover, FAILOVER): a reset,
--     with or without lost entries (with WAIT, none are lost and the reset replays them all);
--   * a server starts, with or without persistence: an RDB or AOF may be older than what was
--     acknowledged, so a reset is right there too; without persistence the keys are gone anyway;
--   * a master that has had no replica for repl-backlog-ttl frees its backlog: a reset that was
--     not needed (a master that never had a replica keeps its id);
-- and a key migrated to another Cluster master (resharding) takes that master's lineage: a
-- reset that was not needed either. A replica's id is its master's, and each Cluster master has
-- its own; a topic's keys live in one slot, so one master's lineage answers for them.

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

-- the lineage of this Redis data, once per script: the master's replication id, 40 hex digits
local replid
local function lineage()
	if not replid then
		replid = string.match(redis.call('INFO', 'replication'), 'master_replid:(%x+)')
	end
	return replid
end

-- the Redis lineage of an empty position: a restart or a failover changes it (its 12 hex digits are
-- longer than any topic epoch, so the two are never confused)
local function server()
	return string.sub(lineage(), 1, 12)
end

-- the epoch of a topic's seed on this lineage: 40 bits of a digest of both, in base 36 as the
-- seeds are (at most 8 characters)
local function epochOf(seed)
	local value = tonumber(string.sub(redis.sha1hex(seed .. ':' .. lineage()), 1, 10), 16)
	local digits = '0123456789abcdefghijklmnopqrstuvwxyz'
	local text = ''
	repeat
		local digit = value % 36
		text = string.sub(digits, digit + 1, digit + 1) .. text
		value = (value - digit) / 36
	until value == 0
	return text
end

-- the topic's state with its epoch on this lineage, or nothing when it has no keys; keys that expire
-- together are gone together, so one without the other was deleted by hand and is treated as gone too
local function state()
	local state = redis.call('HMGET', KEYS[2], 'e', 'c', 'l', 't')
	if not state[1] or redis.call('EXISTS', KEYS[1]) == 0 then
		return nil
	end
	-- the creation time is nil in a state an earlier version created
	return epochOf(state[1]), tonumber(state[2]), state[3], state[4]
end

-- drop the entries older than the history ttl and return the newest trimmed id
local function expire(ttl, trimmed)
	local cutoff = string.format('%.0f', now() - ttl)
	-- looked for forwards first: Redis reads a whole stream backwards when nothing lies before the
	-- end of an XREVRANGE, the common case (80 us for 1,000 entries, every publish and read)
	if #redis.call('XRANGE', KEYS[1], '-', '(' .. cutoff .. '-0', 'COUNT', 1) == 0 then
		return trimmed
	end
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

