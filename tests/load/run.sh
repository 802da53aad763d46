#!/usr/bin/env bash
# The end-to-end load run (BENCHMARKS.md, "End-to-end load run").
#
#   tests/load/run.sh                 full run: ceiling, gateway (QoS 1 and 0, InfluxDB 1.x and VictoriaMetrics v2),
#                                     Node-RED 4 typical and tuned flows; prints one table
#   tests/load/run.sh --quick         CI: 50,000 readings, ceiling + gateway at QoS 1 only (no npm), under ~3 minutes
#   tests/load/run.sh --soak 10       the gateway at a fixed offered rate for 10 minutes, memory sampled every 10 s
#   tests/load/run.sh --nats          the gateway on a three-node NATS JetStream cluster (a stream with three replicas):
#                                     one instance and two, live and catching up on a filled stream, two with one
#                                     SIGKILLed mid-run (the partition takeover time), and nats-server's MQTT listener
#                                     at QoS 1 on its own
#
# Options: --count N (readings per contender), --typical-count N (Node-RED typical flow, which is slow),
#   --devices N (simulated devices, default 10,000), --rate R (soak offered rate, default 5,000/s),
#   --with-nodered / --no-nodered, --no-vm, --mqtt-port P, --influx-url URL, --vm-url URL (use servers already
#   running, as test.sh does), --keep (keep the work folder), --out FILE (also write the table there),
#   --profile (sample the gateway's QoS 1 run with perf and print its hottest functions; needs perf),
#   --save-load FILE / --load FILE (keep the recorded load / replay one recorded before, skipping the recording),
#   --gateway-env KEY=VALUE (extra gateway setting, e.g. Mqtt__ReceiveMaximum=10000; repeatable),
#   --rounds N (measure the QoS 1 ceiling and gateway N times, alternating; the ratio uses the best of each, since
#   on a shared machine other work only ever makes a run slower; default 2 in the full run, 1 otherwise).
#   --idle S (soak: after everything is stored, measure the gateway's CPU over S more seconds with no readings).
#   --partitions P (NATS: partitions of the mapping, default 8), --instances "1 2" (NATS: instance counts to run),
#   --no-takeover (NATS: skip the kill run), --takeover-rate R (NATS: its offered rate, default 2,000/s).
#
# Every contender gets the same messages: the load is recorded once from `SmartCity.IoT.Gateway simulate` and
# replayed byte for byte by tests/SmartCity.IoT.LoadTool. Each contender writes to a fresh database; "stored" is
# counted there with InfluxQL. Exits 1 if the gateway lost a reading at QoS 1 or a step failed.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

MODE=full SOAK_MINUTES=0 COUNT="" TYPICAL_COUNT="" DEVICES=10000 SOAK_RATE=5000
WITH_NODERED="" WITH_VM="" MQTT_PORT="" INFLUX_URL="" VM_URL="" KEEP=0 OUT="" PROFILE=0 LOAD_IN="" LOAD_SAVE=""
GATEWAY_ENV=() ROUNDS="" IDLE_SECONDS=0 NATS_PARTITIONS=8 NATS_INSTANCES="1 2" NATS_TAKEOVER=1 TAKEOVER_RATE=2000
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) MODE=quick ;;
    --soak) MODE=soak; SOAK_MINUTES=${2:?--soak needs minutes}; shift ;;
    --nats) MODE=nats ;;
    --partitions) NATS_PARTITIONS=${2:?}; shift ;;
    --instances) NATS_INSTANCES=${2:?}; shift ;;
    --no-takeover) NATS_TAKEOVER=0 ;;
    --takeover-rate) TAKEOVER_RATE=${2:?}; shift ;;
    --count) COUNT=${2:?}; shift ;;
    --typical-count) TYPICAL_COUNT=${2:?}; shift ;;
    --devices) DEVICES=${2:?}; shift ;;
    --rate) SOAK_RATE=${2:?}; shift ;;
    --with-nodered) WITH_NODERED=1 ;;
    --no-nodered) WITH_NODERED=0 ;;
    --no-vm) WITH_VM=0 ;;
    --mqtt-port) MQTT_PORT=${2:?}; shift ;;
    --influx-url) INFLUX_URL=${2%/}; shift ;;
    --vm-url) VM_URL=${2%/}; shift ;;
    --keep) KEEP=1 ;;
    --profile) PROFILE=1 ;;
    --load) LOAD_IN=${2:?}; shift ;;
    --save-load) LOAD_SAVE=${2:?}; shift ;;
    --gateway-env) GATEWAY_ENV+=("${2:?}"); shift ;;
    --rounds) ROUNDS=${2:?}; shift ;;
    --idle) IDLE_SECONDS=${2:?}; shift ;;
    --out) OUT=${2:?}; shift ;;
    -h|--help) usage 0 ;;
    *) echo "unknown option: $1" >&2; usage 2 ;;
  esac
  shift
done
case "$MODE" in
  quick) ROUNDS=${ROUNDS:-1}; COUNT=${COUNT:-50000}; TYPICAL_COUNT=${TYPICAL_COUNT:-10000}; WITH_NODERED=${WITH_NODERED:-0}; WITH_VM=${WITH_VM:-0} ;;
  full) ROUNDS=${ROUNDS:-2}; COUNT=${COUNT:-500000}; TYPICAL_COUNT=${TYPICAL_COUNT:-60000}; WITH_NODERED=${WITH_NODERED:-1}; WITH_VM=${WITH_VM:-1} ;;
  soak) WITH_NODERED=0; WITH_VM=0 ;;
  nats) ROUNDS=1; COUNT=${COUNT:-200000}; WITH_NODERED=0; WITH_VM=0 ;;
esac

log() { printf '\n=== %s  %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
note() { printf '    %s\n' "$*" >&2; }
die() { echo "load run failed: $*" >&2; exit 1; }
now_ms() { date +%s%3N; }

# --- tools ------------------------------------------------------------------------------------------------------
missing=()
[ -x /usr/sbin/mosquitto ] || command -v mosquitto >/dev/null || missing+=(mosquitto)
command -v mosquitto_pub >/dev/null || missing+=(mosquitto-clients)
[ -x /usr/bin/influxd ] || missing+=(influxdb)
command -v influx >/dev/null || missing+=(influxdb-client)
[ -x /usr/bin/victoria-metrics ] || missing+=(victoria-metrics)
command -v curl >/dev/null || missing+=(curl)
command -v jq >/dev/null || missing+=(jq)
[ "$MODE" = nats ] && { [ -x /usr/sbin/nats-server ] || missing+=(nats-server); }
if [ "$WITH_NODERED" = 1 ]; then
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
fi
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  timeout 300 $SUDO apt-get update -qq || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive timeout 600 $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
fi
CLK_TCK=$(getconf CLK_TCK)

WORK=$(mktemp -d /tmp/smartcity-load.XXXXXX)
PIDS=()
DATABASES=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  if [ -n "${INFLUX_URL:-}" ]; then
    local db
    for db in "${DATABASES[@]}"; do curl -s -m 10 -XPOST "$INFLUX_URL/query" --data-urlencode "q=DROP DATABASE \"$db\"" >/dev/null; done
  fi
  if [ "$KEEP" = 1 ]; then echo "work folder kept: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# port_busy, free_port, wait_http and the server start-up shared with test.sh
. "$HERE/../lib/servers.sh"
wait_file() { local i; for ((i = 0; i < $2 * 10; i++)); do [ -s "$1" ] && return 0; sleep 0.1; done; return 1; }
stop_pid() { # pid: TERM, then KILL after 20 s
  kill "$1" 2>/dev/null
  for _ in $(seq 200); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$1" 2>/dev/null
  wait "$1" 2>/dev/null
}
cpu_s() { awk -v t="$CLK_TCK" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$1/stat" 2>/dev/null || echo 0; }
mem_mb() { awk -v k="$2:" '$1 == k { printf "%.0f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# --- servers ------------------------------------------------------------------------------------------------------
# Tuned settings (inflight window, queue depth, InfluxDB cache) and why: tests/lib/servers.sh.
if [ -z "$MQTT_PORT" ]; then
  MQTT_PORT=$(free_port 28830)
  log "starting Mosquitto on 127.0.0.1:$MQTT_PORT"
  start_mosquitto "$WORK" "$MQTT_PORT" || { PIDS+=("$MOSQUITTO_PID"); die "Mosquitto did not start"; }
  PIDS+=("$MOSQUITTO_PID")
fi

if [ -z "$INFLUX_URL" ]; then
  INFLUX_PORT=$(free_port 28086)
  INFLUX_URL=http://127.0.0.1:$INFLUX_PORT
  log "starting InfluxDB 1.6.7 on $INFLUX_URL"
  start_influxdb "$WORK" "$INFLUX_PORT" || { PIDS+=("$INFLUX_PID"); die "InfluxDB did not start"; }
  PIDS+=("$INFLUX_PID")
fi
INFLUX_PID=${INFLUX_PID:-} MOSQUITTO_PID=${MOSQUITTO_PID:-}

VM_PID="" NATS_PIDS=()
if [ "$WITH_VM" = 1 ] && [ -z "$VM_URL" ]; then
  VM_PORT=$(free_port 28428)
  VM_URL=http://127.0.0.1:$VM_PORT
  log "starting VictoriaMetrics on $VM_URL"
  start_victoria_metrics "$WORK" "$VM_PORT" || { PIDS+=("$VM_PID"); die "VictoriaMetrics did not start"; }
  PIDS+=("$VM_PID")
fi

# --- build --------------------------------------------------------------------------------------------------------
# Release builds in the projects' usual output folders (incremental after test.sh's build); LOAD_ARTIFACTS=DIR puts
# them under DIR instead (--artifacts-path), for working beside other builds.
log "building the gateway and the load tool (Release)"
build() { # project -> prints the dll path
  local name; name=$(basename "$1")
  if [ -n "${LOAD_ARTIFACTS:-}" ]; then
    timeout 600 dotnet build "$ROOT/$1" -c Release -nologo -v q --artifacts-path "$LOAD_ARTIFACTS" >"$WORK/build-$name.log" 2>&1 || { tail -30 "$WORK/build-$name.log" >&2; return 1; }
    echo "$LOAD_ARTIFACTS/bin/$name/release/$name.dll"
  else
    timeout 600 dotnet build "$ROOT/$1" -c Release -nologo -v q >"$WORK/build-$name.log" 2>&1 || { tail -30 "$WORK/build-$name.log" >&2; return 1; }
    echo "$ROOT/$1/bin/Release/net10.0/$name.dll"
  fi
}
# The gateway as it is deployed (README, "Deploying"): published for linux-x64 with ReadyToRun, so the run measures the
# gateway rather than the JIT compiling it (about half its CPU in a 500,000-reading run when built plainly).
# LOAD_PLAIN_BUILD=1 measures the plain build instead.
publish_gateway() {
  local out="$WORK/gateway-bin" rid
  rid=linux-$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')
  timeout 900 dotnet publish "$ROOT/src/SmartCity.IoT.Gateway" -c Release -r "$rid" --self-contained false -p:PublishReadyToRun=true \
    -nologo -v q -o "$out" ${LOAD_ARTIFACTS:+--artifacts-path "$LOAD_ARTIFACTS"} >"$WORK/publish-gateway.log" 2>&1 || { tail -30 "$WORK/publish-gateway.log" >&2; return 1; }
  echo "$out/SmartCity.IoT.Gateway.dll"
}
if [ "${LOAD_PLAIN_BUILD:-0}" = 1 ]; then
  GATEWAY=$(build src/SmartCity.IoT.Gateway) || die "the gateway did not build"
elif ! GATEWAY=$(publish_gateway); then
  # A machine whose package source lacks the ReadyToRun compiler still gets a load run, with the JIT's cost in it.
  note "ReadyToRun publish failed (see above); measuring the plain Release build instead"
  GATEWAY=$(build src/SmartCity.IoT.Gateway) || die "the gateway did not build"
fi
LOADTOOL=$(build tests/SmartCity.IoT.LoadTool) || die "the load tool did not build"
[ -f "$GATEWAY" ] && [ -f "$LOADTOOL" ] || die "build outputs not found ($GATEWAY, $LOADTOOL)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

PROFILES=$(find "$ROOT/devices" -mindepth 2 -name '*.yaml' | wc -l)
[ "$PROFILES" -gt 0 ] || die "no device profiles under devices/"
PER_PROFILE=$(( (DEVICES + PROFILES - 1) / PROFILES ))
# Profiles that publish one value per topic: each message stores one field, so their readings are counted per field.
VALUE_MODELS=$(cd "$ROOT/devices" && grep -l -E '^\s+format:\s*value\s*$' */*.yaml 2>/dev/null | sed 's/\.yaml$//' | jq -R . | jq -s -c .)

# --- InfluxDB helpers ---------------------------------------------------------------------------------------------
influx_q() { curl -s -m 60 -G "$INFLUX_URL/query" --data-urlencode "db=$1" --data-urlencode "q=$2"; }
create_db() { curl -s -m 10 -XPOST "$INFLUX_URL/query" --data-urlencode "q=CREATE DATABASE \"$1\"" >/dev/null; DATABASES+=("$1"); }
drop_db() { curl -s -m 30 -XPOST "$INFLUX_URL/query" --data-urlencode "q=DROP DATABASE \"$1\"" >/dev/null; }
# Points InfluxDB accepted into the database so far (its own in-memory counters: cheap enough to poll).
points_ok() {
  curl -s -m 5 "$INFLUX_URL/debug/vars" | jq --arg db "$1" \
    '[to_entries[] | select((.value | type) == "object" and .value.name == "shard" and .value.tags.database == $db) | .value.values.writePointsOk] | add // 0' 2>/dev/null || echo 0
}
# Readings stored, counted by InfluxQL per (measurement, model): a JSON or binary reading is one point, counted by its
# most frequent field; a one-value-per-topic reading is one field value (several may share a point). The gateway's
# alert transitions (measurement "alerts") are not readings.
stored_count() {
  influx_q "$1" 'SELECT count(*) FROM /.*/ GROUP BY "model"' | jq --argjson value "$VALUE_MODELS" '
    [.results[0].series[]? | select(.name != "alerts") | (.tags.model // "") as $m | [.values[0][1:][] | select(. != null)] as $c
     | if ($value | index($m)) then ($c | add) else ($c | max) end] | add // 0' 2>/dev/null || echo 0
}
# Waits until the database holds the expected readings, or nothing new arrived for STALL s, or TIMEOUT s passed.
# Sets STORED and END_MS (when the last reading became queryable, to the 0.2 s poll).
wait_stored() { # db expected timeout-s stall-s
  local db=$1 expected=$2 deadline=$(( $(now_ms) + $3 * 1000 )) stall=$(( $4 * 1000 )) ok last=-1 changed checked=-1 t
  changed=$(now_ms)
  while :; do
    t=$(now_ms)
    ok=$(points_ok "$db")
    if [ "$ok" != "$last" ]; then last=$ok; changed=$t; fi
    if [ "$ok" -ge "$expected" ] && [ "$ok" != "$checked" ]; then
      checked=$ok
      STORED=$(stored_count "$db")
      if [ "$STORED" -ge "$expected" ]; then END_MS=$t; return 0; fi
    fi
    if [ $((t - changed)) -gt "$stall" ]; then STORED=$(stored_count "$db"); END_MS=$changed; return 1; fi
    if [ "$t" -gt "$deadline" ]; then STORED=$(stored_count "$db"); END_MS=$t; note "timed out waiting for $db"; return 1; fi
    sleep 0.2
  done
}

# --- results ------------------------------------------------------------------------------------------------------
ROWS=()    # name|qos|published|stored|seconds|cpu|peakRss|rss|allocPerReading
row() { ROWS+=("$*"); }
rate_of() { awk -v n="$1" -v ms="$2" 'BEGIN { if (ms > 0) printf "%.0f", n * 1000 / ms; else print 0 }'; }
FAILED=0
PROFILE_NOTES=()

# Where the machine's time went during one contender: both cores' busy share (/proc/stat) and the CPU seconds of the
# servers this script started (none when test.sh passed its own).
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }
probe_start() {
  PROBE_TICKS=$(machine_ticks)
  PROBE_SERVERS=""
  local n p servers=(mosquitto:$MOSQUITTO_PID influxd:$INFLUX_PID victoria-metrics:$VM_PID) i
  for i in "${!NATS_PIDS[@]}"; do servers+=("nats-server-n$i:${NATS_PIDS[i]}"); done
  for n in "${servers[@]}"; do
    p=${n#*:}; [ -n "$p" ] && PROBE_SERVERS+="${n%%:*}:$p:$(cpu_s "$p") "
  done
}
probe_end() { # label [extra text]
  local busy b0 t0 b1 t1 servers="" s name pid c0
  read -r b0 t0 <<<"$PROBE_TICKS"; read -r b1 t1 < <(machine_ticks)
  busy=$(awk -v a="$b0" -v b="$b1" -v c="$t0" -v d="$t1" 'BEGIN { if (d > c) printf "%.0f", (b - a) * 100 / (d - c) }')
  for s in $PROBE_SERVERS; do
    IFS=: read -r name pid c0 <<<"$s"
    servers+="; $name $(awk -v a="$c0" -v b="$(cpu_s "$pid")" 'BEGIN { printf "%.1f", b - a }') s"
  done
  PROFILE_NOTES+=("$1: machine ${busy:-?}% busy (both cores)$servers${2:+; $2}")
}

# --- the load -----------------------------------------------------------------------------------------------------
# Recorded once at a paced rate: a device's consecutive readings are then at least 2.5 s apart on the simulator's
# clock, so profiles with whole-second timestamps never write two readings to the same series and second (InfluxDB
# would keep one of them, and the count would show a loss that is not the gateway's).
record_load() { # count file
  local n=$1 file=$2 rate
  rate=$(( PER_PROFILE * PROFILES * 10 / 25 ))
  log "recording the load: $n readings from $((PER_PROFILE * PROFILES)) devices ($PER_PROFILE per profile x $PROFILES profiles) at $rate/s"
  rm -f "$WORK/record.ready"
  dotnet "$LOADTOOL" record --broker "127.0.0.1:$MQTT_PORT" --count "$n" --out "$file" --ready-file "$WORK/record.ready" \
    --timeout $(( n / rate + 120 )) --idle 30 >"$WORK/record.json" 2>"$WORK/record.log" &
  local rec=$!
  wait_file "$WORK/record.ready" 30 || { kill "$rec"; die "the recorder did not subscribe"; }
  timeout $(( n / rate + 120 )) dotnet "$GATEWAY" simulate --broker "127.0.0.1:$MQTT_PORT" --qos 1 --rate "$rate" --count "$n" \
    --devices '*' --devices-per-profile "$PER_PROFILE" --anomaly-rate 0.02 --seed 1 --devices-root "$ROOT/devices" >"$WORK/simulate.log" 2>&1 \
    || { tail -20 "$WORK/simulate.log" >&2; kill "$rec" 2>/dev/null; die "simulate failed"; }
  wait "$rec" || { cat "$WORK/record.log" >&2; die "recorded $(jq -r .recorded "$WORK/record.json" 2>/dev/null) of $n"; }
  note "$(jq -r '"\(.recorded) messages, \(.payloadBytes / .recorded | floor) payload bytes on average"' "$WORK/record.json")"
}

publish() { # qos count out-json [extra...]: replays the load as fast as the broker takes it
  local qos=$1 n=$2 out=$3; shift 3
  timeout 960 dotnet "$LOADTOOL" publish --broker "127.0.0.1:$MQTT_PORT" --file "$LOAD" --qos "$qos" --count "$n" --timeout 900 "$@" >"$out" 2>>"$WORK/publish.log"
  local rc=$?
  [ -s "$out" ] || echo '{"published":0,"failed":0,"startMs":0,"endMs":0}' >"$out"
  return $rc
}

# --- contenders ---------------------------------------------------------------------------------------------------
run_ceiling() { # qos
  local qos=$1 out="$WORK/ceiling-q$1-r${round:-1}"
  log "ceiling: a bare MQTTnet subscriber counting $COUNT messages at QoS $qos"
  rm -f "$out.ready"
  dotnet "$LOADTOOL" count --broker "127.0.0.1:$MQTT_PORT" --qos "$qos" --expect "$COUNT" --ready-file "$out.ready" \
    --timeout 600 --idle 20 --first-timeout 60 >"$out.count.json" 2>"$out.log" &
  local sub=$!
  wait_file "$out.ready" 30 || { kill "$sub"; die "the counting subscriber did not subscribe"; }
  probe_start
  publish "$qos" "$COUNT" "$out.pub.json" || note "publisher failed: $(tail -2 "$WORK/publish.log")"
  # The subscriber stops on its count, 20 s after its last message, or 60 s without any; this is the backstop.
  local i
  for ((i = 0; i < 120 + COUNT / 1000; i++)); do kill -0 "$sub" 2>/dev/null || break; sleep 1; done
  kill -0 "$sub" 2>/dev/null && { note "the counting subscriber hung; stopping it"; kill -9 "$sub"; }
  wait "$sub"
  [ -s "$out.count.json" ] || { echo '{"received":0,"firstMs":0,"lastMs":0,"stop":"killed"}' >"$out.count.json"; tail -5 "$out.log" >&2; FAILED=1; }
  local start end received cpu alloc
  start=$(jq .startMs "$out.pub.json"); end=$(jq .lastMs "$out.count.json"); received=$(jq .received "$out.count.json")
  cpu=$(jq -r '.cpuSeconds // empty' "$out.count.json"); alloc=$(jq -r 'if .received > 0 and .allocatedBytes then (.allocatedBytes / .received | floor) else empty end' "$out.count.json")
  probe_end "ceiling QoS $qos" "the counting subscriber ${cpu:-?} s (whole life)"
  [ "$received" -gt 0 ] && [ "$start" -gt 0 ] || end=$start
  row "ceiling (bare subscriber)|$qos|$(jq .published "$out.pub.json")|$received|$((end - start))|$cpu|$(jq -r '.peakRssMb // empty' "$out.count.json")||$alloc"
  note "received $received in $((end - start)) ms"
}

start_gateway() { # name qos api db [KEY=VALUE...] -> sets GW_PID GW_HTTP
  local name=$1 qos=$2 api=$3 db=$4 dir="$WORK/$1"
  shift 4
  mkdir -p "$dir"
  GW_HTTP=http://127.0.0.1:$(free_port 28180)
  local influx=(Influx__Api=v1 Influx__Url="$INFLUX_URL" Influx__Database="$db")
  [ "$api" = v2 ] && influx=(Influx__Api=v2 Influx__Url="$VM_URL" Influx__Org=smartcity Influx__Bucket="$db" Influx__Token=load-run)
  local perfmap=0; [ "$PROFILE" = 1 ] && perfmap=1
  # W^X off when profiling: JIT code then lives where perf can name it through the perf map.
  (cd "$dir" && exec env DOTNET_PerfMapEnabled=$perfmap DOTNET_EnableWriteXorExecute=$((1 - perfmap)) Logging__LogLevel__Default=Warning Mqtt__Host=127.0.0.1 Mqtt__Port="$MQTT_PORT" \
      Mqtt__ClientId="loadrun-$name-$$" Mqtt__QualityOfService="$qos" Mqtt__SessionExpiry=00:00:00 "${influx[@]}" \
      Spool__Path="$dir/spool" Alerts__OutboxPath="$dir/alerts.db" Gateway__DevicesPath="$ROOT/devices" \
      Gateway__RulesPath="$ROOT/config/rules" Gateway__RulesCheckpointPath="$dir/rules.checkpoint" \
      DeadLetter__Path="$dir/deadletter" Simulator__Enabled=false Http__Urls="$GW_HTTP" ${GATEWAY_ENV[@]+"${GATEWAY_ENV[@]}"} "$@" \
      dotnet "$GATEWAY" run --config "$ROOT/config/appsettings.json") >"$dir/gateway.log" 2>&1 &
  GW_PID=$!
  PIDS+=($GW_PID)
  if ! wait_http "$GW_HTTP/readyz" 200 60; then
    tail -30 "$dir/gateway.log" >&2
    return 1
  fi
  sleep 1 # the subscription follows the connection
}

# A counter from the gateway's Prometheus endpoint (the System.Runtime meter), summed over its labels; empty if absent.
gw_metric() {
  curl -s -m 5 "$GW_HTTP/metrics" | awk -v name="$1" '
    /^#/ { next }
    { key = $1; sub(/\{.*/, "", key) }
    key == name { v += $NF; found = 1 }
    END { if (found) printf "%.6f", v; else print "" }'
}
delta() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" -v s="${3:-1}" -v f="${4:-%.0f}" 'BEGIN { printf f, (b - a) * s }'; }
# CPU seconds per thread name (.NET names its threads: ".NET TP Worker", ".NET BGC", ".NET Tiered Com", ...).
thread_cpu() { # pid -> "name<TAB>seconds" lines
  local t comm rest
  for t in /proc/"$1"/task/*; do
    comm=$(cat "$t/comm" 2>/dev/null) || continue
    rest=$(cat "$t/stat" 2>/dev/null) || continue
    rest=${rest##*) }
    # shellcheck disable=SC2086
    set -- $rest
    printf '%s\t%s\n' "$comm" $(( ${12} + ${13} ))
  done | awk -F'\t' -v t="$CLK_TCK" '{ s[$1] += $2 } END { for (k in s) printf "%s\t%.2f\n", k, s[k] / t }'
}
thread_delta() { # before-file after-file -> top thread names by CPU during the run
  awk -F'\t' 'NR == FNR { a[$1] = $2; next } { d = $2 - a[$1]; if (d > 0.05) printf "%.1f s %s\n", d, $1 }' "$1" "$2" | sort -rn | head -8 | paste -sd ';' | sed 's/;/; /g'
}

run_gateway() { # qos api(v1|v2)
  local qos=$1 api=$2 name="gateway-q$1-$2-r${round:-1}" db="load_gw_q$1_$2_r${round:-1}_$$" target="InfluxDB 1.6.7 /write"
  [ "$api" = v2 ] && target="VictoriaMetrics /api/v2/write"
  log "gateway: $COUNT readings at QoS $qos, rules on, into $target"
  [ "$api" = v1 ] && create_db "$db"
  start_gateway "$name" "$qos" "$api" "$db" || { row "gateway -> $target|$qos|0|0|0|||||"; note "the gateway did not become ready"; FAILED=1; return; }
  local cpu0 alloc0 gc0 jit0 jitm0 out="$WORK/$name"
  jitm0=$(gw_metric dotnet_jit_compiled_methods_total)
  cpu0=$(cpu_s "$GW_PID"); alloc0=$(gw_metric dotnet_gc_heap_total_allocated_bytes_total)
  gc0=$(gw_metric dotnet_gc_pause_time_seconds_total); jit0=$(gw_metric dotnet_jit_compilation_time_seconds_total)
  thread_cpu "$GW_PID" >"$out.threads0"
  local perf=""
  if [ "$PROFILE" = 1 ] && [ "$qos" = 1 ] && [ "$api" = v1 ] && command -v perf >/dev/null; then
    perf record -F 999 -g -p "$GW_PID" -o "$out.perf.data" >/dev/null 2>&1 &
    perf=$!
  fi
  probe_start
  publish "$qos" "$COUNT" "$out.pub.json" &
  local pub=$!
  local ok=0
  if [ "$api" = v1 ]; then
    wait_stored "$db" "$COUNT" 600 30 && ok=1
  else
    wait_vm "$db" "$COUNT" 600 30 && ok=1
  fi
  wait "$pub" || note "publisher: $(tail -2 "$WORK/publish.log")"
  local cpu1 alloc1 gc1 jit1 hwm rss status
  cpu1=$(cpu_s "$GW_PID"); alloc1=$(gw_metric dotnet_gc_heap_total_allocated_bytes_total); hwm=$(mem_mb "$GW_PID" VmHWM); rss=$(mem_mb "$GW_PID" VmRSS)
  gc1=$(gw_metric dotnet_gc_pause_time_seconds_total); jit1=$(gw_metric dotnet_jit_compilation_time_seconds_total)
  thread_cpu "$GW_PID" >"$out.threads1"
  probe_end "gateway QoS $qos $api" "gateway $(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.1f", b - a }') s"
  if [ -n "$perf" ]; then
    kill -INT "$perf"; wait "$perf"
    # Self time by function, JIT-compiled frames named through the perf map the runtime wrote.
    perf report -i "$out.perf.data" --no-children --sort dso,symbol --percent-limit 0.5 --stdio 2>/dev/null \
      | grep -E '^ +[0-9.]+%' | head -30 | sed -E 's/ +/ /g; s/\[\.\] //' >"$WORK/gateway-profile.txt"
    PROFILE_NOTES+=("hottest functions (perf, self time) in the gateway's QoS 1 run:" "$(sed 's/^/  /' "$WORK/gateway-profile.txt")")
  fi
  PROFILE_NOTES+=("gateway QoS $qos $api: CPU $(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.1f", b - a }') s by thread: $(thread_delta "$out.threads0" "$out.threads1"); GC pauses $(delta "$gc0" "$gc1" 1 %.2f) s, JIT $(delta "$jit0" "$jit1" 1 %.2f) s for $(delta "$jitm0" "$(gw_metric dotnet_jit_compiled_methods_total)") methods, allocated $(delta "$alloc0" "$alloc1" 0.000001 %.0f) MB")
  status=$(curl -s -m 5 "$GW_HTTP/api/status" | tee "$out.status.json" | jq -c '.pipeline // .Pipeline // {} | with_entries(select(.value | type == "number"))' 2>/dev/null)
  note "gateway counters: ${status:-unavailable}"
  stop_pid "$GW_PID"
  local start published alloc=""
  start=$(jq .startMs "$out.pub.json"); published=$(jq .published "$out.pub.json")
  [ -n "$alloc0" ] && [ -n "$alloc1" ] && alloc=$(awk -v a="$alloc0" -v b="$alloc1" -v n="$STORED" 'BEGIN { if (n > 0) printf "%.0f", (b - a) / n }')
  row "gateway -> $target|$qos|$published|$STORED|$((END_MS - start))|$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.1f", b - a }')|$hwm|$rss|$alloc"
  note "stored $STORED of $published in $((END_MS - start)) ms; peak RSS $hwm MB"
  [ "$ok" = 1 ] || note "not everything arrived: see $name/gateway.log"
  [ "$qos" = 1 ] && [ "$api" = v1 ] && GW_Q1_LOSS=$(( ${GW_Q1_LOSS:-0} + published - STORED ))
  [ "$api" = v1 ] && drop_db "$db"
}

# VictoriaMetrics stores measurement_field series; readings = per (measurement, model) the largest field count.
wait_vm() { # bucket expected timeout stall (the gateway writes to VM with the bucket as a label-free db; counts all)
  local expected=$2 deadline=$(( $(now_ms) + $3 * 1000 )) stall=$(( $4 * 1000 )) rows last=-1 changed t
  changed=$(now_ms)
  while :; do
    t=$(now_ms)
    rows=$(curl -s -m 5 "$VM_URL/metrics" | awk '$1 ~ /^vm_rows_inserted_total\{type="influx"\}/ { print $2 }')
    rows=${rows:-0}
    if [ "$rows" != "$last" ]; then last=$rows; changed=$t; fi
    if [ $((t - changed)) -gt "$stall" ] || [ "$t" -gt "$deadline" ]; then break; fi
    if [ "$rows" != 0 ] && [ $((t - changed)) -gt 3000 ]; then
      # Rows are fields; once they stop moving, count readings exactly.
      STORED=$(vm_count); END_MS=$changed
      [ "$STORED" -ge "$expected" ] && return 0
    fi
    sleep 0.2
  done
  STORED=$(vm_count); END_MS=$changed
  return 1
}
vm_count() {
  curl -s -m 30 -XPOST "$VM_URL/internal/force_flush" >/dev/null
  curl -s -m 120 "$VM_URL/api/v1/query" --data-urlencode 'query=sum by (__name__, model) (count_over_time({__name__=~".+", __name__!~"alerts_.*", model!=""}[3650d]) keep_metric_names)' \
    --data-urlencode "time=$(( $(date +%s) + 60 ))" | jq --argjson value "$VALUE_MODELS" '
    [.data.result[] | {m: .metric.model, n: (.value[1] | tonumber), name: .metric.__name__}]
    | group_by(.m) | map(if ((.[0].m) as $m | $value | index($m)) then (map(.n) | add) else (map(.n) | max) end) | add // 0' 2>/dev/null || echo 0
}

NODERED_DIR=${SMARTCITY_LOAD_CACHE:-$HOME/.cache/smartcity-load}/node-red
ensure_nodered() {
  local want have
  want=$(jq -r '.dependencies["node-red"]' "$HERE/node-red/package.json")
  have=$(jq -r .version "$NODERED_DIR/node_modules/node-red/package.json" 2>/dev/null)
  if [ "$have" = "$want" ] && [ -d "$NODERED_DIR/node_modules/node-red-contrib-influxdb" ]; then return 0; fi
  log "installing Node-RED $want and node-red-contrib-influxdb into $NODERED_DIR"
  mkdir -p "$NODERED_DIR" && cp "$HERE/node-red/package.json" "$NODERED_DIR/package.json"
  (cd "$NODERED_DIR" && timeout 600 npm install --no-audit --no-fund --loglevel=error >"$WORK/npm.log" 2>&1) || { tail -20 "$WORK/npm.log" >&2; return 1; }
}

run_nodered() { # typical|tuned count
  local flavor=$1 n=$2 db="load_nr_$1_$$" dir="$WORK/nodered-$1"
  log "Node-RED 4, $flavor flow: $n readings at QoS 1"
  mkdir -p "$dir"
  create_db "$db"
  local nr_port; nr_port=$(free_port 28880)
  LOAD_MQTT_PORT=$MQTT_PORT LOAD_INFLUX_HOST=$(echo "$INFLUX_URL" | sed -E 's#https?://([^:/]+).*#\1#') \
  LOAD_INFLUX_PORT=$(echo "$INFLUX_URL" | sed -E 's#.*:([0-9]+)$#\1#') LOAD_INFLUX_DB=$db LOAD_NR_PORT=$nr_port \
    node "$NODERED_DIR/node_modules/node-red/red.js" --settings "$HERE/node-red/settings.js" --userDir "$dir" \
    "$HERE/node-red/flow-$flavor.json" >"$dir/node-red.log" 2>&1 &
  local pid=$!
  PIDS+=($pid)
  # Ready when the flow answers a probe on the subscription the load arrives on.
  timeout 90 mosquitto_sub -h 127.0.0.1 -p "$MQTT_PORT" -t loadrun/ack -C 1 -W 90 >/dev/null 2>&1 &
  local ack=$!
  for _ in $(seq 180); do
    kill -0 "$ack" 2>/dev/null || break
    mosquitto_pub -h 127.0.0.1 -p "$MQTT_PORT" -t loadrun/probe -m probe 2>/dev/null
    sleep 0.5
  done
  if ! wait "$ack"; then
    tail -20 "$dir/node-red.log" >&2
    row "Node-RED 4 $flavor flow|1|0|0|0|||||"; note "Node-RED did not come up"; stop_pid "$pid"; FAILED=1; return
  fi
  local cpu0 out="$dir/run"
  cpu0=$(cpu_s "$pid")
  probe_start
  publish 1 "$n" "$out.pub.json" &
  local pub=$!
  wait_stored "$db" "$n" 900 30
  wait "$pub"
  local cpu1 hwm rss start
  cpu1=$(cpu_s "$pid"); hwm=$(mem_mb "$pid" VmHWM); rss=$(mem_mb "$pid" VmRSS)
  probe_end "Node-RED $flavor" "node $(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.1f", b - a }') s"
  stop_pid "$pid"
  start=$(jq .startMs "$out.pub.json")
  row "Node-RED 4 $flavor flow|1|$(jq .published "$out.pub.json")|$STORED|$((END_MS - start))|$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.1f", b - a }')|$hwm|$rss|"
  note "stored $STORED of $n in $((END_MS - start)) ms; peak RSS $hwm MB"
  local errors; errors=$(grep -c '\[error\]' "$dir/node-red.log")
  [ "$errors" -gt 0 ] && note "$errors errors in the Node-RED log, the first: $(grep -m1 '\[error\]' "$dir/node-red.log" | cut -c1-300)"
  drop_db "$db"
}

print_table() {
  local r name qos pub stored ms cpu hwm rss alloc
  local gw="" ceil="" typ="" tun="" gwloss=""
  {
    echo "| contender | QoS | published | stored | loss | seconds | readings/s | CPU s | CPU µs/reading | peak RSS MB | end RSS MB | alloc B/reading |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for r in "${ROWS[@]}"; do
      IFS='|' read -r name qos pub stored ms cpu hwm rss alloc <<<"$r"
      local rate; rate=$(rate_of "$stored" "$ms")
      local per=""; [ -n "$cpu" ] && [ "$stored" -gt 0 ] && per=$(awk -v c="$cpu" -v n="$stored" 'BEGIN { printf "%.0f", c * 1e6 / n }')
      printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$qos" "$pub" "$stored" "$((pub - stored))" \
        "$(awk -v m="$ms" 'BEGIN { printf "%.1f", m / 1000 }')" "$rate" "${cpu:--}" "${per:--}" "${hwm:--}" "${rss:--}" "${alloc:--}"
      case "$name|$qos" in
        "ceiling (bare subscriber)|1") [ "$rate" -gt "${ceil:-0}" ] && ceil=$rate ;;
        "gateway -> InfluxDB 1.6.7 /write|1") [ "$rate" -gt "${gw:-0}" ] && gw=$rate; gwloss=$((${gwloss:-0} + pub - stored)) ;;
        "Node-RED 4 typical flow|1") typ=$rate ;;
        "Node-RED 4 tuned flow|1") tun=$rate ;;
      esac
    done
    echo
    ratio() { [ -n "$1" ] && [ -n "$2" ] && [ "$2" != 0 ] && awk -v a="$1" -v b="$2" "BEGIN { printf \"%s: %.2f (target $3)\n\", \"$4\", a / b }"; }
    ratio "$gw" "$ceil" ">= 0.80" "gateway QoS 1 / ceiling QoS 1 (best of $ROUNDS each)"
    ratio "$gw" "$tun" ">= 2" "gateway QoS 1 / Node-RED tuned (QoS 1)"
    ratio "$gw" "$typ" ">= 20" "gateway QoS 1 / Node-RED typical (QoS 1)"
    [ -n "$gwloss" ] && echo "gateway loss at QoS 1: $gwloss (must be 0)"
    local p
    for p in "${PROFILE_NOTES[@]}"; do echo "$p"; done
  } | tee "$WORK/table.md"
  echo
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'); load: $(cut -d' ' -f1-3 /proc/loadavg)"
  [ -n "$OUT" ] && cp "$WORK/table.md" "$OUT"
  if [ "${GW_Q1_LOSS:-missing}" != 0 ]; then FAILED=1; fi
}

# --- soak ---------------------------------------------------------------------------------------------------------
run_soak() {
  local minutes=$1 rate=$2 per db="load_soak_$$"
  # Enough devices that each reports at most every 2.5 s (whole-second timestamps stay unique per series).
  per=$(( (rate * 25 / 10 + PROFILES - 1) / PROFILES )); [ "$per" -lt "$PER_PROFILE" ] && per=$PER_PROFILE
  [ "$per" -gt 10000 ] && per=10000
  log "soak: the gateway at QoS 1 for $minutes min at $rate readings/s from $((per * PROFILES)) devices"
  create_db "$db"
  start_gateway soak 1 v1 "$db" || die "the gateway did not become ready"
  local started; started=$(now_ms)
  timeout $(( minutes * 60 + 120 )) dotnet "$GATEWAY" simulate --broker "127.0.0.1:$MQTT_PORT" --qos 1 --rate "$rate" \
    --duration "$(printf '%02d:%02d:00' $((minutes / 60)) $((minutes % 60)))" --devices '*' --devices-per-profile "$per" \
    --anomaly-rate 0.02 --seed 1 --devices-root "$ROOT/devices" >"$WORK/soak-simulate.log" 2>&1 &
  local sim=$!
  # Managed heap after the last GC beside RSS: a heap that grows is a leak, an RSS that grows alone is the GC keeping
  # memory it may reuse.
  echo "| minute | stored | readings/s (last 10 s) | gateway RSS MB | managed heap after GC MB | gateway CPU % |" | tee "$WORK/soak.md"
  echo "|---:|---:|---:|---:|---:|---:|" | tee -a "$WORK/soak.md"
  local prev=0 prevcpu; prevcpu=$(cpu_s "$GW_PID")
  local first_rss="" last_rss=0 max_rss=0
  while kill -0 "$sim" 2>/dev/null; do
    sleep 10
    local n cpu rss t
    n=$(points_ok "$db"); cpu=$(cpu_s "$GW_PID"); rss=$(mem_mb "$GW_PID" VmRSS); t=$(( ($(now_ms) - started) / 1000 ))
    local heap; heap=$(gw_metric dotnet_gc_last_collection_heap_size_bytes)
    printf '| %.1f | %s | %s | %s | %.0f | %.0f |\n' "$(awk -v t="$t" 'BEGIN { print t / 60 }')" "$n" $(( (n - prev) / 10 )) "$rss" \
      "$(awk -v h="${heap:-0}" 'BEGIN { print h / 1048576 }')" \
      "$(awk -v a="$prevcpu" -v b="$cpu" 'BEGIN { print (b - a) * 10 }')" | tee -a "$WORK/soak.md"
    prev=$n; prevcpu=$cpu; last_rss=$rss
    [ "$rss" -gt "$max_rss" ] && max_rss=$rss
    [ -z "$first_rss" ] && [ "$t" -ge 60 ] && first_rss=$rss
  done
  wait "$sim"
  local published; published=$(grep -oE '^[0-9]+ messages published' "$WORK/soak-simulate.log" | grep -oE '^[0-9]+')
  local soakcpu; soakcpu=$(cpu_s "$GW_PID")
  wait_stored "$db" "${published:-0}" 300 30
  soak_idle "$soakcpu" "${published:-0}"
  stop_pid "$GW_PID"
  echo
  echo "soak: published ${published:-?}, stored $STORED, loss $(( ${published:-0} - STORED )); RSS after 1 min ${first_rss:-?} MB, at the end $last_rss MB, max $max_rss MB"
  [ -n "$published" ] && [ "$published" = "$STORED" ] || FAILED=1
}

# The soak's CPU per reading (from the gateway's start, so start-up and binding devices are in it), then, with --idle,
# the gateway's CPU over a fixed span with no readings at all: what a quiet estate costs (rule timers, flush ticks,
# checkpoints, metrics).
soak_idle() { # cpu-seconds-at-end-of-publishing readings
  echo "soak: gateway CPU $1 s for $2 readings = $(awk -v c="$1" -v n="$2" 'BEGIN { if (n > 0) printf "%.1f", c * 1e6 / n }') µs per reading; load average $(cut -d' ' -f1-3 /proc/loadavg)"
  [ "$IDLE_SECONDS" -gt 0 ] || return 0
  local c0 c1 rss; c0=$(cpu_s "$GW_PID"); sleep "$IDLE_SECONDS"; c1=$(cpu_s "$GW_PID"); rss=$(mem_mb "$GW_PID" VmRSS)
  echo "idle: gateway CPU $(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }') s over $IDLE_SECONDS s with no readings ($(awk -v a="$c0" -v b="$c1" -v s="$IDLE_SECONDS" 'BEGIN { printf "%.2f", (b - a) * 100 / s }') % of a core), RSS $rss MB; load average $(cut -d' ' -f1-3 /proc/loadavg)"
}

# --- NATS JetStream -----------------------------------------------------------------------------------------------
# Each contender gets a fresh three-node cluster (empty stream, consumers, leases and state), the partition mapping
# the gateway writes from the device profiles, and `nats init --replicas 3`, as README "Scale out on NATS JetStream"
# sets one up. The recorded load goes straight into JetStream (topic a/b/c as subject a.b.c, through the same
# mapping), which takes it faster than the gateway reads: the figures are the gateway's. nats-server's MQTT listener is
# measured on its own (run_nats_mqtt): at QoS 1 on a cluster it is the slower path. Sparkplug's topics (spBv1.0/...)
# are skipped: nats-server refuses a '.' in an MQTT topic.
NATS_SKIP=.
nats_mapping() {
  NATS_MAPPING=$WORK/nats-mapping.conf
  [ -s "$NATS_MAPPING" ] && return 0
  # LOAD_NATS_MAPPING=FILE measures a mapping of your own instead.
  if [ -n "${LOAD_NATS_MAPPING:-}" ]; then cp "$LOAD_NATS_MAPPING" "$NATS_MAPPING"; return; fi
  dotnet "$GATEWAY" nats mappings --partitions "$NATS_PARTITIONS" --devices-root "$ROOT/devices" >"$NATS_MAPPING" 2>"$WORK/nats-mapping.log" \
    || { cat "$WORK/nats-mapping.log" >&2; return 1; }
  note "partition mapping: $(grep -c '{{partition' "$NATS_MAPPING") subject patterns into $NATS_PARTITIONS partitions; $(grep -c . "$WORK/nats-mapping.log") notes (see --keep)"
}
nats_up() { # name
  nats_mapping || return 1
  start_nats_cluster "$WORK/$1" "$NATS_MAPPING" || { PIDS+=(${NATS_PIDS[@]+"${NATS_PIDS[@]}"}); return 1; }
  PIDS+=("${NATS_PIDS[@]}")
  local i
  for ((i = 0; i < 30; i++)); do # the JetStream meta leader may follow /healthz by a moment
    dotnet "$GATEWAY" nats init --url "$NATS_URLS" --replicas 3 --max-age 1h >"$WORK/$1/nats-init.log" 2>&1 && return 0
    sleep 1
  done
  cat "$WORK/$1/nats-init.log" >&2
  return 1
}
nats_down() { # name
  local p
  for p in "${NATS_PIDS[@]}"; do stop_pid "$p"; done
  NATS_PIDS=()
  rm -rf "$WORK/$1/nats-cluster"
}
# The node index leading the READINGS stream, and the messages it holds, from the nodes' monitoring ports.
stream_jsz() { # field(leader|messages)
  local m
  for m in "${NATS_MONITORS[@]}"; do
    curl -s -m 5 "$m/jsz?accounts=true&streams=true" | jq -r --arg f "$1" '[.account_details[]?.stream_detail[]? | select(.name == "READINGS")
      | if $f == "leader" then .cluster.leader // empty else .state.messages end][0] // empty' 2>/dev/null | grep . && return 0
  done
}
owned() { curl -s -m 5 "$1/api/status" | jq '.instance.partitions | length' 2>/dev/null || echo 0; }
wait_balanced() { # seconds url...: every instance owns its share and together they own every partition
  local deadline=$(( $(now_ms) + $1 * 1000 )) u n total least
  shift
  while [ "$(now_ms)" -lt "$deadline" ]; do
    total=0 least=$NATS_PARTITIONS
    for u in "$@"; do n=$(owned "$u"); total=$((total + n)); [ "$n" -lt "$least" ] && least=$n; done
    [ "$total" = "$NATS_PARTITIONS" ] && [ "$least" -ge $((NATS_PARTITIONS / $#)) ] && return 0
    sleep 0.2
  done
  return 1
}

run_nats() { # instances [kill-after-s | catchup]
  local n=$1 kill_after=${2:-} catchup="" name db rate=0 expected i label count=$COUNT
  [ "$kill_after" = catchup ] && { catchup=1; kill_after=""; }
  name="nats-${n}i${kill_after:+-takeover}${catchup:+-catchup}"; db="load_nats_${n}i${kill_after:+_kill}${catchup:+_catchup}_$$"
  label="gateway on NATS JetStream, $n instance$([ "$n" -gt 1 ] && echo s)${kill_after:+, one SIGKILLed}${catchup:+, catching up on a filled stream}"
  # The kill run: paced, three times as long as the wait before the kill, so the takeover happens mid-stream.
  if [ -n "$kill_after" ]; then
    rate=$TAKEOVER_RATE; count=$(( TAKEOVER_RATE * kill_after * 3 )); [ "$count" -gt "$COUNT" ] && count=$COUNT
  fi
  expected=$(dotnet "$LOADTOOL" publish --broker none:1 --file "$LOAD" --count "$count" --skip-topics-with "$NATS_SKIP" --dry-run true | jq .selected)
  log "$label: $expected readings${kill_after:+ at $rate/s} into a stream with 3 replicas, $NATS_PARTITIONS partitions, rules on, into InfluxDB 1.6.7"
  mkdir -p "$WORK/$name"
  nats_up "$name" || { row "$label|1|0|0|0|||||"; note "the NATS cluster did not start"; FAILED=1; return; }
  create_db "$db"
  local out="$WORK/$name/pub.json" pub="" started=0
  if [ -n "$catchup" ]; then
    # Catch-up: the whole load is in the stream before any gateway starts (as after an outage of every instance); the
    # time runs from the gateways' start, so it includes their start-up.
    dotnet "$LOADTOOL" publish --broker none:1 --nats "$NATS_URLS" --file "$LOAD" --count "$count" --skip-topics-with "$NATS_SKIP" \
      --inflight 2000 --timeout 900 >"$out" 2>>"$WORK/publish.log" || note "publisher: $(tail -2 "$WORK/publish.log")"
    note "the stream holds $(stream_jsz messages) messages"
    started=$(now_ms)
  fi
  local urls=() pids=()
  for ((i = 0; i < n; i++)); do
    if ! start_gateway "$name-g$i" 1 v1 "$db" Mqtt__Host= Nats__Url="$NATS_URLS" Nats__Partitions="$NATS_PARTITIONS" Nats__Ownership=Leases \
        Nats__InstanceId="g$i" Nats__StateReplicas=3 Nats__AlertsReplicas=3 Nats__ReconnectMaxDelay=00:00:01; then
      row "$label|1|0|0|0|||||"; note "gateway g$i did not become ready"; FAILED=1; nats_down "$name"; return
    fi
    urls+=("$GW_HTTP"); pids+=("$GW_PID")
  done
  local cpu0=() alloc0=() nats_cpu0=0 p
  if [ -z "$catchup" ]; then
    wait_balanced 60 "${urls[@]}" || { note "the instances did not share the $NATS_PARTITIONS partitions within 60 s"; FAILED=1; }
    for ((i = 0; i < n; i++)); do cpu0+=("$(cpu_s "${pids[i]}")"); GW_HTTP=${urls[i]}; alloc0+=("$(gw_metric dotnet_gc_heap_total_allocated_bytes_total)"); done
  else
    note "ready $(( $(now_ms) - started )) ms after the start"
    for ((i = 0; i < n; i++)); do cpu0+=(0); alloc0+=(0); done
  fi
  for p in "${NATS_PIDS[@]}"; do nats_cpu0=$(awk -v a="$nats_cpu0" -v b="$(cpu_s "$p")" 'BEGIN { print a + b }'); done
  probe_start
  if [ -z "$catchup" ]; then
    timeout 960 dotnet "$LOADTOOL" publish --broker none:1 --nats "$NATS_URLS" --file "$LOAD" --count "$count" --skip-topics-with "$NATS_SKIP" \
      --inflight 2000 --rate "$rate" --timeout 900 >"$out" 2>>"$WORK/publish.log" &
    pub=$!
  fi
  local takeover=""
  if [ -n "$kill_after" ]; then
    sleep "$kill_after"
    local before killed_at
    before=$(owned "${urls[0]}")
    kill -9 "${pids[n - 1]}"; killed_at=$(now_ms)
    wait "${pids[n - 1]}" 2>/dev/null
    note "SIGKILLed instance g$((n - 1)) (the survivor owned $before of $NATS_PARTITIONS partitions)"
    while [ $(( $(now_ms) - killed_at )) -lt 60000 ]; do
      [ "$(owned "${urls[0]}")" = "$NATS_PARTITIONS" ] && { takeover=$(( $(now_ms) - killed_at )); break; }
      sleep 0.1
    done
    note "takeover: ${takeover:-not within 60 s} ms from the SIGKILL until the survivor consumed every partition"
    [ -n "$takeover" ] || FAILED=1
  fi
  wait_stored "$db" "$expected" 600 30
  [ -n "$pub" ] && { wait "$pub" || note "publisher: $(tail -2 "$WORK/publish.log")"; }
  local cpu=0 alloc=0 hwm=0 rss=0 hwmsum=0 c h
  for ((i = 0; i < n; i++)); do
    [ -n "$kill_after" ] && [ "$i" = $((n - 1)) ] && continue
    c=$(cpu_s "${pids[i]}"); cpu=$(awk -v s="$cpu" -v a="${cpu0[i]}" -v b="$c" 'BEGIN { printf "%.1f", s + b - a }')
    GW_HTTP=${urls[i]}; alloc=$(awk -v s="$alloc" -v a="${alloc0[i]}" -v b="$(gw_metric dotnet_gc_heap_total_allocated_bytes_total)" 'BEGIN { printf "%.0f", s + b - a }')
    h=$(mem_mb "${pids[i]}" VmHWM); hwmsum=$((hwmsum + h)); [ "$h" -gt "$hwm" ] && hwm=$h; rss=$(mem_mb "${pids[i]}" VmRSS)
  done
  local nats_cpu=0
  for p in "${NATS_PIDS[@]}"; do nats_cpu=$(awk -v a="$nats_cpu" -v b="$(cpu_s "$p")" 'BEGIN { print a + b }'); done
  probe_end "$label" "gateways $cpu s${kill_after:+ (the survivor; the killed one not counted)}; nats-server $(awk -v a="$nats_cpu0" -v b="$nats_cpu" 'BEGIN { printf "%.1f", b - a }') s (3 nodes); peak RSS per instance $hwm MB, all instances $hwmsum MB"
  local published start
  published=$(jq .published "$out" 2>/dev/null || echo 0); start=$(jq .startMs "$out" 2>/dev/null || echo 0)
  [ -n "$catchup" ] && start=$started
  for ((i = 0; i < n; i++)); do curl -s -m 5 "${urls[i]}/api/status" >"$WORK/$name/status-g$i.json"; stop_pid "${pids[i]}"; done
  nats_down "$name"
  local per=""; [ "$STORED" -gt 0 ] && per=$(awk -v a="$alloc" -v n="$STORED" 'BEGIN { printf "%.0f", a / n }')
  row "$label|1|$published|$STORED|$((END_MS - start))|$cpu|$hwm|$rss|$per"
  note "stored $STORED of $published in $((END_MS - start)) ms$([ -z "$catchup" ] && echo " (the stream took them in $(( $(jq .endMs "$out" 2>/dev/null || echo 0) - start )) ms)")"
  [ -n "$takeover" ] && PROFILE_NOTES+=("$label: takeover $takeover ms (SIGKILL to the survivor consuming all $NATS_PARTITIONS partitions; bound LeaseTtl + LeaseTtl/3 = 8 s)")
  NATS_LOSS=$(( ${NATS_LOSS:-0} + published - STORED ))
  drop_db "$db"
}

# nats-server's MQTT listener alone: QoS 1 publishes over MQTT 3.1.1 into the node that leads the stream, then into
# one that does not; counted by the publisher's acknowledgements and checked against the stream's message count.
run_nats_mqtt() { # count
  local n=$1 leader other i j out
  log "nats-server MQTT 3.1.1 at QoS 1: $n messages into the stream leader's node, then $n into another node"
  mkdir -p "$WORK/nats-mqtt"
  nats_up nats-mqtt || { note "the NATS cluster did not start"; FAILED=1; return; }
  leader=$(stream_jsz leader); leader=${leader#n}; other=$(( (leader + 1) % 3 ))
  local held=0
  for i in "$leader" "$other"; do
    out="$WORK/nats-mqtt/pub-n$i.json"
    probe_start
    timeout 960 dotnet "$LOADTOOL" publish --broker "127.0.0.1:${NATS_MQTT_PORTS[i]}" --file "$LOAD" --qos 1 --count "$n" --mqtt 3.1.1 \
      --skip-topics-with "$NATS_SKIP" --timeout 900 >"$out" 2>>"$WORK/publish.log" || note "publisher: $(tail -2 "$WORK/publish.log")"
    probe_end "MQTT into n$i"
    local published now
    published=$(jq .published "$out" 2>/dev/null || echo 0)
    # The stream may store the last acknowledged publishes a moment later: wait for them (at most 10 s).
    for ((j = 0; j < 50; j++)); do now=$(stream_jsz messages); [ "${now:-0}" -ge $((held + published)) ] && break; sleep 0.2; done
    row "nats-server MQTT 3.1.1 QoS 1 -> stream R3, into $([ "$i" = "$leader" ] && echo "the stream leader's node" || echo "a node that does not lead it")|1|$published|$(( ${now:-0} - held ))|$(( $(jq .endMs "$out") - $(jq .startMs "$out") ))||||"
    held=${now:-0}
  done
  nats_down nats-mqtt
}

# --- the run ------------------------------------------------------------------------------------------------------
[ ${#GATEWAY_ENV[@]} -gt 0 ] && note "gateway settings added: ${GATEWAY_ENV[*]}"
log "mode $MODE on $(nproc) cores; broker 127.0.0.1:$MQTT_PORT, InfluxDB $INFLUX_URL${VM_URL:+, VictoriaMetrics $VM_URL}"
if [ "$MODE" = soak ]; then
  run_soak "$SOAK_MINUTES" "$SOAK_RATE"
  exit $FAILED
fi

if [ "$WITH_NODERED" = 1 ]; then ensure_nodered || die "npm could not install Node-RED"; fi
LOAD="$WORK/load.bin"
if [ -n "$LOAD_IN" ]; then
  LOAD=$LOAD_IN
  log "replaying the load recorded in $LOAD (the first $COUNT messages)"
else
  record_load "$COUNT" "$LOAD"
  [ -n "$LOAD_SAVE" ] && cp "$LOAD" "$LOAD_SAVE"
fi

for ((round = 1; round <= ROUNDS; round++)); do
  [ "$MODE" = nats ] && break
  run_ceiling 1
  run_gateway 1 v1
done
if [ "$MODE" = nats ]; then
  for n in $NATS_INSTANCES; do run_nats "$n"; done
  for n in $NATS_INSTANCES; do run_nats "$n" catchup; done
  # The kill a third of the way through the paced run (10 s into the full 60,000; earlier in a short one).
  kill_after=$(( COUNT < TAKEOVER_RATE * 30 ? COUNT / TAKEOVER_RATE / 3 : 10 )); [ "$kill_after" -lt 2 ] && kill_after=2
  [ "$NATS_TAKEOVER" = 1 ] && run_nats 2 "$kill_after"
  run_nats_mqtt "$(( COUNT < 5000 ? COUNT : 5000 ))"
  log "results (NATS: $COUNT readings recorded, those nats-server can carry published)"
  GW_Q1_LOSS=${NATS_LOSS:-0}
  print_table
  exit $FAILED
fi
round=1
if [ "$MODE" = full ]; then
  run_ceiling 0
  run_gateway 0 v1
  [ "$WITH_VM" = 1 ] && run_gateway 1 v2
fi
if [ "$WITH_NODERED" = 1 ]; then
  run_nodered tuned "$COUNT"
  run_nodered typical "$TYPICAL_COUNT"
fi

log "results ($MODE: $COUNT readings per contender)"
print_table
exit $FAILED
