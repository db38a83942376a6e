-- Read history after a position, atomically with the check that nothing between the position
-- and the first entry returned is gone. Creates no key: a topic without keys is empty, and its
-- position is this Redis lineage and its time, '<server>.<milliseconds>'.
-- ARGV: history ttl (ms), key lifetime (ms), epoch of the position ('' for now), the rest of the
-- position (a stream id, or the time of an empty position), most entries to return
-- Returns {epoch, newest id, newest trimmed id, 'now' | 'recovered' | 'reset', entries},
-- or for a topic without keys {server, time, time, 'now' | 'recovered' | 'reset'}.
-- After a failover (see topic.lua) every position the old master handed out is of another
-- epoch, or of another server for an empty one: 'reset', from the oldest entry the promoted
-- replica holds, whether or not it lacks any; a topic it holds no keys of is empty as of now,
-- and a position of the old master on it is a reset too. Within one lineage and epoch, a
-- position past the newest entry was never handed out for what this Redis holds (a state put
-- back by hand, a forged id): a reset as well, not a client error.
local lifetime = tonumber(ARGV[2])
local position = ARGV[3]
local since = (position ~= '' and not string.find(ARGV[4], '-', 1, true)) and tonumber(ARGV[4]) or nil
local epoch, created, last, trimmed = state()
if not epoch then
	local here, time = server(), now()
	local outcome = 'now'
	if position ~= '' then
		-- keys created after an empty position cannot have expired within a key lifetime of it
		local quiet = since and position == here and since <= time and time < since + lifetime
		outcome = quiet and 'recovered' or 'reset'
	end
	local id = string.format('%.0f', time)
	return {here, id, id, outcome}
end
trimmed = expire(tonumber(ARGV[1]), trimmed)
if position == '' then
	return {epoch, last, trimmed, 'now'}
end
local from = '-'
local outcome = 'reset'
if since then
	-- gap-free when the keys were created after the empty position on this same Redis lineage,
	-- too soon for earlier keys to have come and expired in between, and lost nothing since
	if position == server() and created and since <= created and created < since + lifetime
			and trimmed == '0-0' then
		outcome = 'recovered'
	end
elseif position == epoch and compare(ARGV[4], last) <= 0 then
	if compare(ARGV[4], trimmed) >= 0 then
		from = '(' .. ARGV[4]
		outcome = 'recovered'
	end
end
local limit = tonumber(ARGV[5])
local entries = {}
if limit > 0 then
	entries = redis.call('XRANGE', KEYS[1], from, '+', 'COUNT', limit)
end
return {epoch, last, trimmed, outcome, entries}
