-- Read history after a position, atomically with the check that nothing between the position
-- and the first entry returned was trimmed away.
-- ARGV: new epoch, history ttl (ms), idle time (ms), epoch of the position ('' for now),
-- stream id of the position, most entries to return
-- Returns {epoch, newest id, newest trimmed id, 'now' | 'ahead' | 'recovered' | 'reset', entries}.
local epoch, last, trimmed = open(ARGV[1])
trimmed = expire(tonumber(ARGV[2]), trimmed)
keep(tonumber(ARGV[3]))
if ARGV[4] == '' then
	return {epoch, last, trimmed, 'now'}
end
local from = '-'
local outcome = 'reset'
if ARGV[4] == epoch then
	if compare(ARGV[5], last) > 0 then
		return {epoch, last, trimmed, 'ahead'}
	end
	if compare(ARGV[5], trimmed) >= 0 then
		from = '(' .. ARGV[5]
		outcome = 'recovered'
	end
end
local limit = tonumber(ARGV[6])
local entries = {}
if limit > 0 then
	entries = redis.call('XRANGE', KEYS[1], from, '+', 'COUNT', limit)
end
return {epoch, last, trimmed, outcome, entries}
