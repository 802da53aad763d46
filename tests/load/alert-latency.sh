#!/usr/bin/env bash
# Alert latency (issue 13, BENCHMARKS.md "Alert latency"): from a reading's publish to its webhook accepted by a real
# HTTP receiver, with group_wait 0, first with InfluxDB up and then with InfluxDB stopped (readings go to the spool).
#
#   tests/load/alert-latency.sh [--count N] [--rate ALERTS/S] [--background-rate MSG/S]
#
# Starts its own Mosquitto and InfluxDB 1.6.7 on free loopback ports (tests/lib/servers.sh), builds the gateway and
# the load tool (Release), runs the gateway with one threshold rule, and prints one line per phase with p50/p95/p99/max.
# Each alert reading is a new device crossing co2 > 1000; background readings (normal values) keep the pipeline busy.
# Exits 1 when a webhook is missing.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
COUNT=300 RATE=20 BACKGROUND=2000
while [ $# -gt 0 ]; do
  case "$1" in
    --count) COUNT=${2:?}; shift ;;
    --rate) RATE=${2:?}; shift ;;
    --background-rate) BACKGROUND=${2:?}; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done

. "$ROOT/tests/lib/servers.sh"
latency_run alertlat

MQTT_PORT=$(free_port 29830); INFLUX_PORT=$(free_port 29086); HOOK_PORT=$(free_port 29190); HTTP_PORT=$(free_port 29180)
start_mosquitto "$WORK" "$MQTT_PORT" || { echo "Mosquitto did not start" >&2; exit 1; }
PIDS+=("$MOSQUITTO_PID")
start_influxdb "$WORK" "$INFLUX_PORT" || { echo "InfluxDB did not start" >&2; exit 1; }
PIDS+=("$INFLUX_PID")
INFLUX_URL=http://127.0.0.1:$INFLUX_PORT
curl -s -m 10 -XPOST "$INFLUX_URL/query" --data-urlencode 'q=CREATE DATABASE "alertlat"' >/dev/null

log "building the gateway and the load tool (Release)"
for p in src/SmartCity.IoT.Gateway tests/SmartCity.IoT.LoadTool; do
  dotnet build "$ROOT/$p" -c Release -nologo -v q >"$WORK/build.log" 2>&1 || { tail -30 "$WORK/build.log" >&2; exit 1; }
done
GATEWAY=$ROOT/src/SmartCity.IoT.Gateway/bin/Release/net10.0/SmartCity.IoT.Gateway.dll
LOADTOOL=$ROOT/tests/SmartCity.IoT.LoadTool/bin/Release/net10.0/SmartCity.IoT.LoadTool.dll

mkdir -p "$WORK/rules"
cat >"$WORK/rules/latency.yaml" <<'YAML'
rules:
  - name: latency_co2
    match: { family: environment }
    expr: co2 > 1000
    severity: critical
YAML
(cd "$WORK" && exec env Logging__LogLevel__Default=Warning Mqtt__Host=127.0.0.1 Mqtt__Port="$MQTT_PORT" Mqtt__ClientId="alertlat-$$" \
    Influx__Api=v1 Influx__Url="$INFLUX_URL" Influx__Database=alertlat Spool__Path="$WORK/spool" Alerts__OutboxPath="$WORK/alerts.db" \
    Alerts__GroupWait=00:00:00 Webhooks__0__Name=latency Webhooks__0__Url="http://127.0.0.1:$HOOK_PORT/hook" Webhooks__0__Secret="whsec_$(head -c 32 /dev/urandom | base64)" \
    Gateway__DevicesPath="$ROOT/devices" Gateway__RulesPath="$WORK/rules" Gateway__RulesCheckpointPath="$WORK/rules.checkpoint" \
    DeadLetter__Path="$WORK/deadletter" Simulator__Enabled=false Http__Urls="http://127.0.0.1:$HTTP_PORT" \
    dotnet "$GATEWAY" run --config "$ROOT/config/appsettings.json") >"$WORK/gateway.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$HTTP_PORT/healthz" 200 60 || { tail -30 "$WORK/gateway.log" >&2; exit 1; }
sleep 2 # the subscription follows the connection

status=0
phase() { # label tag
  log "$1: $COUNT alerts at $RATE/s amid $BACKGROUND normal readings/s"
  local out
  out=$(dotnet "$LOADTOOL" alerts --broker "127.0.0.1:$MQTT_PORT" --listen "$HOOK_PORT" --count "$COUNT" --rate "$RATE" \
    --background-rate "$BACKGROUND" --tag "$2" --timeout 60) || status=1
  printf '%-16s %s\n' "$1" "$out"
}
COUNT_MEASURED=$COUNT; COUNT=200
phase "warm-up (JIT)" warm >/dev/null
COUNT=$COUNT_MEASURED
phase "InfluxDB up" up
kill "$INFLUX_PID"; wait "$INFLUX_PID" 2>/dev/null
phase "InfluxDB down" down
spooled=$(curl -s -m 5 "http://127.0.0.1:$HTTP_PORT/api/status" | jq -r '.store.spooled // .Store.Spooled // empty' 2>/dev/null)
echo "lines spooled while InfluxDB was down: ${spooled:-unknown}"
exit $status
