-- Append a message, trim history by count and age, and tell every instance.
-- ARGV: data, history size, history ttl (ms), idle time (ms), new epoch, channel, topic
-- Returns {epoch, id}.
local epoch, last, trimmed = open(ARGV[5])
local id = redis.call('XADD', KEYS[1], '*', 'd', ARGV[1])
local size = tonumber(ARGV[2])
local length = redis.call('XLEN', KEYS[1])
if length > size then
	local dropped = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', length - size)
	redis.call('XTRIM', KEYS[1], 'MAXLEN', size)
	if compare(dropped[#dropped][1], trimmed) > 0 then
		trimmed = dropped[#dropped][1]
	end
end
redis.call('HSET', KEYS[2], 'l', id, 't', trimmed)
expire(tonumber(ARGV[3]), trimmed)
keep(tonumber(ARGV[4]))
-- the previous id lets every instance check that it missed nothing before this message
redis.call('PUBLISH', ARGV[6], ARGV[7] .. '\n' .. epoch .. '\n' .. last .. '\n' .. id .. '\n' .. ARGV[1])
return {epoch, id}
