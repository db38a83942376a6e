#!/usr/bin/env bash
# What the publish script costs Redis, without the app: how many publishes one Redis core runs
# per second, and the microseconds each takes inside Redis, in total and per command it calls.
#
# Starts a redis-server on a free port (core 1, nothing on disk), loads the broker's publish
# script from the sources (topic.lua + publish.lua), fills the topics' history, then runs
# redis-benchmark on core 0: 32 connections, 16 scripts in flight on each (the way many request
# threads share the broker's one connection), an 83-byte JSON message, history of 100, topics
# picked at random. Each round starts from empty keys.
#
#   realtime-bench/redis-script.sh [rounds=5] [publishes=100000] [topics=100]
#
# Prints one line per round: publishes per second, EVALSHA's microseconds per call and the sum of
# its commands' (INFO commandstats), then each command's; and the fastest round (the least
# disturbed on a shared machine). REDIS_CPU / LOAD_CPU pick other cores. Needs redis-server,
# redis-benchmark (package redis-tools) and taskset.
set -euo pipefail

cd "$(dirname "$0")/.."
rounds=${1:-5}
publishes=${2:-100000}
topics=${3:-100}
scripts=realtime-redis/src/main/resources/io/realtime/redis
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
work=$(mktemp -d)
taskset -c "${REDIS_CPU:-1}" redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
	--dir "$work" --daemonize no >"$work/redis.log" 2>&1 &
redis_pid=$!
trap 'kill $redis_pid 2>/dev/null; wait $redis_pid 2>/dev/null; rm -rf "$work"' EXIT
until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.1; done

sha=$(redis-cli -p "$port" script load "$(cat "$scripts/topic.lua" "$scripts/publish.lua")")
data='{"type":"chat","user":"bench","text":"a message of the size chat apps send, or so"}'
# as TopicStreams.append calls it: stream and state keys in one slot; data, history size, history
# ttl (ms), key lifetime (ms), epoch seed, channel, topic, publish command
publish=(evalsha "$sha" 2 'rt:{t__rand_int__}:stream' 'rt:{t__rand_int__}:state' "$data" 100 300000 310000
	seed 'rt:{t__rand_int__}:notifications' t__rand_int__ PUBLISH)
bench() {
	taskset -c "${LOAD_CPU:-0}" redis-benchmark -p "$port" -c 32 -P 16 -r "$topics" -n "$1" --csv "${publish[@]}" \
		| tail -1 | awk -F, '{ gsub(/"/, "", $(NF - 6)); print $(NF - 6) }'
}

results=()
for ((round = 1; round <= rounds; round++)); do
	redis-cli -p "$port" flushall >/dev/null
	bench $((topics * 200)) >/dev/null
	redis-cli -p "$port" config resetstat >/dev/null
	rate=$(bench "$publishes")
	stats=$(redis-cli -p "$port" info commandstats | tr -d '\r' | grep '^cmdstat_' | grep -v 'cmdstat_config')
	line=$(awk -F'[_:,=]' -v rate="$rate" -v n="$publishes" '
		{ calls[$2] = $4; usec[$2] = $6 }
		END {
			inner = 0; detail = ""
			for (c in calls) if (c != "evalsha") {
				inner += usec[c] / n; detail = detail sprintf(" %s %.2f", c, usec[c] / n)
			}
			printf "%.0f publishes/s, %.1f us per script, %.1f us in its commands:%s", rate, usec["evalsha"] / n, inner, detail
		}' <<<"$stats")
	echo "round $round: $line"
	results+=("$line")
done
printf '%s\n' "${results[@]}" | sort -t, -k2 -n | head -1 | sed 's/^/fastest: /'
