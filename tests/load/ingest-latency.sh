#!/usr/bin/env bash
# HTTP ingest answer time (issue 19, BENCHMARKS.md "HTTP ingest answer time"): The Things Stack-style uplinks posted to
# /ingest/tts at a steady rate, each timed from its send to its answer (2xx only once its reading is durable), first
# with InfluxDB up and then with InfluxDB stopped (answers come from the spool).
#
#   tests/load/ingest-latency.sh [--rate REQ/S] [--seconds S] [--flush-interval HH:MM:SS.fff]
#
# Starts its own InfluxDB 1.6.7 on a free loopback port (tests/lib/servers.sh; no MQTT broker: the gateway's embedded
# one idles), builds the gateway and the load tool (Release), and prints one JSON line per phase with the answers by
# status code and p50/p95/p99/max. Exits 1 when an answer is not 2xx.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
RATE=1000 SECONDS_=30 FLUSH=00:00:01
while [ $# -gt 0 ]; do
  case "$1" in
    --rate) RATE=${2:?}; shift ;;
    --seconds) SECONDS_=${2:?}; shift ;;
    --flush-interval) FLUSH=${2:?}; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done

. "$ROOT/tests/lib/servers.sh"
latency_run ingestlat

INFLUX_PORT=$(free_port 29386); HTTP_PORT=$(free_port 29380); MQTT_PORT=$(free_port 29883)
start_influxdb "$WORK" "$INFLUX_PORT" || { echo "InfluxDB did not start" >&2; exit 1; }
PIDS+=("$INFLUX_PID")
INFLUX_URL=http://127.0.0.1:$INFLUX_PORT
curl -s -m 10 -XPOST "$INFLUX_URL/query" --data-urlencode 'q=CREATE DATABASE "ingestlat"' >/dev/null

log "building the gateway and the load tool (Release)"
for p in src/SmartCity.IoT.Gateway tests/SmartCity.IoT.LoadTool; do
  dotnet build "$ROOT/$p" -c Release -nologo -v q >"$WORK/build.log" 2>&1 || { tail -30 "$WORK/build.log" >&2; exit 1; }
done
GATEWAY=$ROOT/src/SmartCity.IoT.Gateway/bin/Release/net10.0/SmartCity.IoT.Gateway.dll
LOADTOOL=$ROOT/tests/SmartCity.IoT.LoadTool/bin/Release/net10.0/SmartCity.IoT.LoadTool.dll

export INGEST_BENCH_TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
(cd "$WORK" && exec env Logging__LogLevel__Default=Warning Mqtt__Host= Mqtt__EmbeddedPort="$MQTT_PORT" \
    Influx__Api=v1 Influx__Url="$INFLUX_URL" Influx__Database=ingestlat Influx__RetryBudget=00:00:00.500 Spool__Path="$WORK/spool" \
    Alerts__OutboxPath="$WORK/alerts.db" Gateway__DevicesPath="$ROOT/devices" Gateway__RulesCheckpointPath="$WORK/rules.checkpoint" \
    DeadLetter__Path="$WORK/deadletter" Simulator__Enabled=false Http__Urls="http://127.0.0.1:$HTTP_PORT" Pipeline__FlushInterval="$FLUSH" \
    HttpIngest__Sources__0__Name=tts HttpIngest__Sources__0__Format=tts HttpIngest__Sources__0__TokenEnv=INGEST_BENCH_TOKEN \
    dotnet "$GATEWAY" run --config "$ROOT/config/appsettings.json") >"$WORK/gateway.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$HTTP_PORT/healthz" 200 60 || { tail -30 "$WORK/gateway.log" >&2; exit 1; }

status=0
phase() { # label tag count
  log "$1: $3 uplinks at $RATE/s"
  local out
  out=$(dotnet "$LOADTOOL" ingest --url "http://127.0.0.1:$HTTP_PORT/ingest/tts" --token-env INGEST_BENCH_TOKEN --count "$3" \
    --rate "$RATE" --tag "$2" --timeout $((SECONDS_ * 3 + 30))) || status=1
  printf '%-16s %s\n' "$1" "$out"
}
phase "warm-up (JIT)" warm $((RATE * 5)) >/dev/null
phase "InfluxDB up" up $((RATE * SECONDS_))
kill "$INFLUX_PID"; wait "$INFLUX_PID" 2>/dev/null
phase "InfluxDB down" down $((RATE * SECONDS_))
curl -s -m 5 "http://127.0.0.1:$HTTP_PORT/metrics" | grep -E '^smartcity_iot_ingest_requests_total.*outcome="(stored|refused)"' >&2
exit $status
