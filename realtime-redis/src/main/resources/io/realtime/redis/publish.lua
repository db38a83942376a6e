-- Append a message, trim history by count and age, make the keys expire once the topic is idle,
-- and tell the instances listening to the topic.
-- ARGV: data, history size, history ttl (ms), key lifetime (ms), seed of a new epoch, the topic's
-- channel (in the slot of KEYS), topic, PUBLISH or SPUBLISH (sharded, on a Redis Cluster)
-- Returns {epoch, id}. On a promoted replica the topic's epoch is a new one (see topic.lua), so no id
-- the old master acknowledged is ever handed out again for another message.
local epoch, _, last, trimmed = state()
if not epoch then
	-- a new epoch; a key left without the other belongs to none anyone can resume
	redis.call('DEL', KEYS[1], KEYS[2])
	epoch, last, trimmed = epochOf(ARGV[5]), '0-0', '0-0'
	redis.call('HSET', KEYS[2], 'e', ARGV[5], 'c', string.format('%.0f', now()))
end
-- trimmed by count as the entry is added: the entries dropped are the oldest held, newer than any
-- trimmed before
local size = tonumber(ARGV[2])
local excess = redis.call('XLEN', KEYS[1]) + 1 - size
if excess > 0 then
	local dropped = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', excess)
	trimmed = dropped[#dropped][1]
end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', size, '*', 'd', ARGV[1])
redis.call('HSET', KEYS[2], 'l', id, 't', trimmed)
expire(tonumber(ARGV[3]), trimmed)
-- only publishes keep a topic: by then every entry has aged out of history
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
-- the previous id lets every instance check that it missed nothing before this message
redis.call(ARGV[8], ARGV[6], ARGV[7] .. '\n' .. epoch .. '\n' .. last .. '\n' .. id .. '\n' .. ARGV[1])
return {epoch, id}
