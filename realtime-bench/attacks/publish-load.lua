-- POST /publish from wrk, the load redis-publish.sh uses by default (node's publish-load.mjs
-- takes about 55 us of CPU per request, on the core the Redis server shares):
--   wrk -t1 -c128 -d15s -s realtime-bench/attacks/publish-load.lua http://localhost:8080/realtime
-- Small JSON bodies to 100 topics (news/0..99); wrk counts what was not 2xx.
local body = '{"text":"hello","n":1}'
local headers = { ["Content-Type"] = "application/json" }
local n = 0

request = function()
	n = n + 1
	return wrk.format("POST", wrk.path .. "/publish?topic=news/" .. (n % 100), headers, body)
end
