#!/usr/bin/env bash
# Publish throughput through HTTP, in-memory broker against Redis broker, alternating rounds.
#
# The chat sample (built with the Redis starter, so one jar runs both brokers) on core 0, the
# load generator (128 keep-alive connections, 100 topics, no subscribers: wrk with
# realtime-bench/attacks/publish-load.lua, or LOAD=node for publish-load.mjs, the generator
# before 2026-12-01, which needs a core to itself) and a redis-server started here on a free
# port on core 1. Per-client limits are off. Each round starts a fresh app, warms it up, then
# measures; rounds alternate memory and redis so both see the same machine.
#
#   ./mvnw -pl samples/chat -am -Predis package -DskipTests -DskipNodeTests
#   realtime-bench/redis-publish.sh [rounds=3] [seconds=15] [jar=samples/chat/target/realtime-sample-chat-0.1.0-SNAPSHOT.jar]
#
# In Redis rounds a second instance of the app, with no clients, runs beside the first on the
# load generator's core: its CPU time while the first publishes shows what an instance without
# subscribers pays for other instances' messages.
#
# Prints one line per run, then the ratio of the median throughputs and of the app's median CPU
# time per publish (in-memory over Redis: what the throughput ratio would be with the app's core
# to itself, the figure to trust on a busy machine). Needs wrk (or node), redis-server and taskset.
# APP_CPU / LOAD_CPU pick other cores; JAVA runs the apps on another JDK; JAVA_OPTS adds JVM
# options (default -Xmx512m); WARMUP is the seconds of load before measuring (default 90: with the
# app on one core, C2 compiles under this load for 50 s or more, longer in Redis mode, and would
# be measured otherwise; each line says what share of the app's CPU the JIT still took).
set -euo pipefail

cd "$(dirname "$0")/.."
rounds=${1:-3}
seconds=${2:-15}
jar=${3:-samples/chat/target/realtime-sample-chat-0.1.0-SNAPSHOT.jar}
app_cpu=${APP_CPU:-0}
load_cpu=${LOAD_CPU:-1}
java_opts=${JAVA_OPTS:--Xmx512m}
warmup=${WARMUP:-90}
java=${JAVA:-java}
load=${LOAD:-wrk}
work=$(mktemp -d)

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

redis_port=$(free_port)
taskset -c "$load_cpu" redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
	--dir "$work" --daemonize no >"$work/redis.log" 2>&1 &
redis_pid=$!
app_pid=
idle_pid=
cleanup() {
	[ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null && wait "$app_pid" 2>/dev/null
	[ -n "$idle_pid" ] && kill "$idle_pid" 2>/dev/null && wait "$idle_pid" 2>/dev/null
	kill "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
until redis-cli -p "$redis_port" ping >/dev/null 2>&1; do sleep 0.1; done

# start_app CPU MODE PORT LOG: the sample on a core, once it answers; its pid in $started
start_app() {
	# shellcheck disable=SC2086
	taskset -c "$1" "$java" $java_opts -jar "$jar" --server.port="$3" \
		--spring.profiles.active=redis --spring.data.redis.port="$redis_port" \
		--realtime.broker.type="$2" --realtime.limits.enabled=false \
		--realtime.publish.allowed-topics=chat,news/** --logging.level.root=warn >"$4" 2>&1 &
	started=$!
	until curl -s -o /dev/null "http://127.0.0.1:$3/realtime/client.js"; do
		kill -0 "$started" 2>/dev/null || { cat "$4"; exit 1; }
		sleep 0.2
	done
}

# publish_load PORT SECONDS: 128 clients publish; prints {"clients", "seconds", "perSecond", "refusedOrFailed"}
publish_load() {
	if [ "$load" = node ]; then
		taskset -c "$load_cpu" node realtime-bench/attacks/publish-load.mjs "http://127.0.0.1:$1/realtime" 128 "$2"
		return
	fi
	taskset -c "$load_cpu" wrk -t1 -c128 -d"$2"s -s realtime-bench/attacks/publish-load.lua "http://127.0.0.1:$1/realtime" |
		awk -v s="$2" '/Non-2xx|Socket errors/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) bad += $i }
			/^ *[0-9]+ requests in/ { total = $1 }
			END { printf "{\"clients\":128,\"seconds\":%d,\"perSecond\":%d,\"refusedOrFailed\":%d}\n", s, (total - bad) / s, bad }'
}

run() {
	local mode=$1 port idle_before idle_after idle_us=-
	port=$(free_port)
	start_app "$app_cpu" "$mode" "$port" "$work/app.log"
	app_pid=$started
	if [ "$mode" = redis ]; then
		start_app "$load_cpu" redis "$(free_port)" "$work/idle.log"
		idle_pid=$started
	fi
	# warm-up: let the JIT compile the publish path
	publish_load "$port" "$warmup" >/dev/null
	local result before after per_second cpu_us redis_before redis_after redis_us
	before=$(cpu_ticks "$app_pid")
	jit_before=$(jit_ticks "$app_pid")
	redis_before=$(cpu_ticks "$redis_pid")
	[ -n "$idle_pid" ] && idle_before=$(cpu_ticks "$idle_pid")
	result=$(publish_load "$port" "$seconds")
	after=$(cpu_ticks "$app_pid")
	jit_after=$(jit_ticks "$app_pid")
	redis_after=$(cpu_ticks "$redis_pid")
	if [ -n "$idle_pid" ]; then
		idle_after=$(cpu_ticks "$idle_pid")
		# the idle instance's CPU over the measured seconds, in ms per second
		idle_us=$(( (idle_after - idle_before) * 1000 / ticks_per_second / seconds ))
		kill "$idle_pid"
		wait "$idle_pid" 2>/dev/null || true
		idle_pid=
	fi
	kill "$app_pid"
	wait "$app_pid" 2>/dev/null || true
	app_pid=
	per_second=$(sed -E 's/.*"perSecond":([0-9]+).*/\1/' <<<"$result")
	# the app's CPU time (user + system) per accepted publish: less sensitive to a busy machine
	cpu_us=$(( (after - before) * 1000000 / ticks_per_second / (per_second * seconds + 1) ))
	redis_us=$(( (redis_after - redis_before) * 1000000 / ticks_per_second / (per_second * seconds + 1) ))
	jit=$(( (jit_after - jit_before) * 100 / (after - before + 1) ))
	echo "$mode $result app CPU per publish: ${cpu_us} us (JIT ${jit}%); Redis CPU per publish: ${redis_us} us; idle instance CPU: ${idle_us} ms/s"
	echo "$mode $per_second $cpu_us" >>"$work/results"
}

ticks_per_second=$(getconf CLK_TCK)
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}
# the CPU ticks of a JVM's compiler threads
jit_ticks() {
	local task sum=0
	for task in /proc/"$1"/task/*; do
		case $(cat "$task/comm") in
			C1\ * | C2\ *) sum=$((sum + $(awk '{ print $14 + $15 }' "$task/stat"))) ;;
		esac
	done
	echo "$sum"
}

for ((i = 1; i <= rounds; i++)); do
	run memory
	run redis
done
redis-cli -p "$redis_port" flushall >/dev/null
python3 - "$work/results" <<'EOF'
import statistics, sys
runs, cpu = {}, {}
for line in open(sys.argv[1]):
    mode, value, us = line.split()
    runs.setdefault(mode, []).append(int(value))
    cpu.setdefault(mode, []).append(int(us))
memory, redis = statistics.median(runs['memory']), statistics.median(runs['redis'])
print(f"throughput: memory {min(runs['memory'])}-{max(runs['memory'])}/s, redis {min(runs['redis'])}-{max(runs['redis'])}/s, "
      f"ratio of medians {redis / memory:.0%}")
memory, redis = statistics.median(cpu['memory']), statistics.median(cpu['redis'])
print(f"app CPU per publish: memory {min(cpu['memory'])}-{max(cpu['memory'])} us, redis {min(cpu['redis'])}-{max(cpu['redis'])} us, "
      f"memory/redis {memory / redis:.0%}")
EOF
