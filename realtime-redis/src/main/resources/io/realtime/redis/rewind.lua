-- The position right before the newest entries of a topic, for a subscriber that starts now with
-- the last few: read.lua resumes from it gap-free (it is an entry still held, or the newest one
-- trimmed away). Creates no key.
-- ARGV: history ttl (ms), most entries to go back
-- Returns {epoch, id}, or for a topic without keys {server, time}: an empty position, as now.
local epoch, _, last, trimmed = state()
if not epoch then
	return {server(), string.format('%.0f', now())}
end
trimmed = expire(tonumber(ARGV[1]), trimmed)
local count = tonumber(ARGV[2])
if count == 0 then
	return {epoch, last}
end
local newest = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', count + 1)
if #newest > count then
	return {epoch, newest[count + 1][1]}
end
return {epoch, trimmed}
