#!/usr/bin/env bash
# What the publish script costs Redis, without the app: how many publishes one Redis core runs
# per second, and the microseconds each takes inside Redis, in total and per command it calls.
#
# Starts a redis-server on a free port (core 1, nothing on disk), loads the broker's publish
# script from the sources (topic.lua + publish.lua), then sends it publishes as TopicStreams does
# (a topic's stream, state and channel keys, random topics, an 83-byte JSON message, history of
# 100) through `redis-cli --pipe` on core 0: one connection with everything in flight, as the
# broker's one connection carries many request threads' publishes. Each round starts from empty
# keys and fills every topic's history before measuring.
#
#   realtime-bench/redis-script.sh [rounds=5] [publishes=100000] [topics=100]
#
# Prints one line per round: publishes per second, EVALSHA's microseconds per call and the sum of
# its commands' (INFO commandstats), then each command's; and the fastest round (the least
# disturbed on a shared machine). PUBLISH_LUA measures another version of publish.lua;
# REDIS_CPU / LOAD_CPU pick other cores. Needs redis-server, redis-cli, python3 and taskset.
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

sha=$(redis-cli -p "$port" script load "$(cat "$scripts/topic.lua" "${PUBLISH_LUA:-$scripts/publish.lua}")")
# the publishes as RESP: keys and channel of one topic each; data, history size, history ttl (ms),
# key lifetime (ms), epoch seed, channel, topic, publish command
commands() {
	python3 - "$sha" "$topics" "$1" <<'EOF' >"$2"
import random, sys
sha, topics, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = '{"type":"chat","user":"bench","text":"a message of the size chat apps send, or so"}'
out = []
for i in range(count):
    t = 'topic-%d' % random.randrange(topics)
    args = ['EVALSHA', sha, '2', 'rt:{%s}:stream' % t, 'rt:{%s}:state' % t, data, '100', '300000',
            '310000', 'seed%d' % i, 'rt:{%s}:notifications' % t, t, 'PUBLISH']
    out.append('*%d\r\n' % len(args) + ''.join('$%d\r\n%s\r\n' % (len(a.encode()), a) for a in args))
sys.stdout.write(''.join(out))
EOF
}
commands $((topics * 200)) "$work/fill.resp"
commands "$publishes" "$work/measure.resp"
pipe() {
	taskset -c "${LOAD_CPU:-0}" redis-cli -p "$port" --pipe <"$1" | grep -q 'errors: 0,'
}

results=()
for ((round = 1; round <= rounds; round++)); do
	redis-cli -p "$port" flushall >/dev/null
	pipe "$work/fill.resp"
	redis-cli -p "$port" config resetstat >/dev/null
	start=$(date +%s.%N)
	pipe "$work/measure.resp"
	rate=$(awk -v n="$publishes" -v start="$start" -v end="$(date +%s.%N)" 'BEGIN { print n / (end - start) }')
	stats=$(redis-cli -p "$port" info commandstats | tr -d '\r' | grep '^cmdstat_' | grep -v -e 'cmdstat_config' -e 'cmdstat_echo')
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
