#!/usr/bin/env bash
# Runs every test of SmartCity.IoT against real servers on loopback:
# installs Mosquitto, InfluxDB 1.6.7 and VictoriaMetrics with apt-get when missing, starts them with their own
# config and data folders, runs each test project, stops what it started, exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")"
ROOT="$PWD"

log() { printf '\n=== %s\n' "$*"; }

# --- install what is missing -------------------------------------------------------------------
missing=()
[ -x /usr/sbin/mosquitto ] || [ -x /usr/bin/mosquitto ] || missing+=(mosquitto)
command -v mosquitto_pub >/dev/null || missing+=(mosquitto-clients)
[ -x /usr/bin/influxd ] || missing+=(influxdb)
command -v influx >/dev/null || missing+=(influxdb-client)
[ -x /usr/bin/victoria-metrics ] || missing+=(victoria-metrics)
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq || { echo "apt-get update failed" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null || { echo "apt-get install ${missing[*]} failed" >&2; exit 1; }
fi
MOSQUITTO=$(command -v mosquitto || echo /usr/sbin/mosquitto)

# --- start the servers on free loopback ports ---------------------------------------------------
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { local p=$1; while port_busy "$p"; do p=$((p + 1)); done; echo "$p"; }
wait_http() { # url expected-status seconds
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$1" 2>/dev/null)" = "$2" ] && return 0
    sleep 0.1
  done
  return 1
}

WORK=$(mktemp -d /tmp/smartcity-test.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

MQTT_PORT=$(free_port 18830)
INFLUX_PORT=$(free_port 18086)
VM_PORT=$(free_port 18428)

log "starting Mosquitto on 127.0.0.1:$MQTT_PORT"
# Inflight and queue limits are raised from Mosquitto's defaults (20 and 1000): the gateway acknowledges QoS 1
# messages per batch, so a small inflight window would cap throughput at window/flush-interval.
cat > "$WORK/mosquitto.conf" <<CONF
listener $MQTT_PORT 127.0.0.1
allow_anonymous true
persistence false
max_inflight_messages 0
max_queued_messages 1000000
max_queued_bytes 0
log_dest file $WORK/mosquitto.log
CONF
"$MOSQUITTO" -c "$WORK/mosquitto.conf" >/dev/null 2>&1 &
PIDS+=($!)

log "starting InfluxDB 1.6.7 on 127.0.0.1:$INFLUX_PORT"
mkdir -p "$WORK/influx/meta" "$WORK/influx/data" "$WORK/influx/wal"
cat > "$WORK/influxdb.conf" <<CONF
reporting-disabled = true
bind-address = "127.0.0.1:$(free_port 18088)"
[meta]
  dir = "$WORK/influx/meta"
[data]
  dir = "$WORK/influx/data"
  wal-dir = "$WORK/influx/wal"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:$INFLUX_PORT"
  log-enabled = false
[monitor]
  store-enabled = false
CONF
/usr/bin/influxd -config "$WORK/influxdb.conf" >"$WORK/influxd.log" 2>&1 &
PIDS+=($!)

log "starting VictoriaMetrics on 127.0.0.1:$VM_PORT"
/usr/bin/victoria-metrics -storageDataPath="$WORK/vm" -httpListenAddr="127.0.0.1:$VM_PORT" \
  -retentionPeriod=100y -search.latencyOffset=0s -loggerLevel=ERROR >"$WORK/vm.log" 2>&1 &
PIDS+=($!)

wait_http "http://127.0.0.1:$INFLUX_PORT/ping" 204 30 || { echo "InfluxDB did not start:"; tail -20 "$WORK/influxd.log"; exit 1; }
wait_http "http://127.0.0.1:$VM_PORT/health" 200 30 || { echo "VictoriaMetrics did not start:"; tail -20 "$WORK/vm.log"; exit 1; }
for ((i = 0; i < 100; i++)); do port_busy "$MQTT_PORT" && break; sleep 0.1; done
port_busy "$MQTT_PORT" || { echo "Mosquitto did not start:"; cat "$WORK/mosquitto.log"; exit 1; }

export SMARTCITY_TEST_MQTT_PORT=$MQTT_PORT
export SMARTCITY_TEST_INFLUX_URL=http://127.0.0.1:$INFLUX_PORT
export SMARTCITY_TEST_VM_URL=http://127.0.0.1:$VM_PORT

# --- build once, then run each test project -----------------------------------------------------
log "building"
dotnet build SmartCity.IoT.sln -c Release -nologo -v q || { echo "build failed" >&2; exit 1; }

passed=0; failed=0; skipped=0; status=0
for proj in tests/*Tests/*.csproj; do
  log "testing $(basename "$proj" .csproj)"
  out="$WORK/$(basename "$proj").out"
  dotnet test "$proj" -c Release --no-build -nologo 2>&1 | tee "$out" | grep -vE "^\s*$|^Test run for|^A total of|^Results File" | head -300
  rc=${PIPESTATUS[0]}
  line=$(grep -E '(Passed|Failed)!\s+-' "$out" | tail -1)
  if [ -z "$line" ]; then
    echo "no test summary from $proj (exit $rc)"; status=1; failed=$((failed + 1)); continue
  fi
  f=$(sed -E 's/.*Failed:\s*([0-9]+).*/\1/' <<<"$line"); p=$(sed -E 's/.*Passed:\s*([0-9]+).*/\1/' <<<"$line"); s=$(sed -E 's/.*Skipped:\s*([0-9]+).*/\1/' <<<"$line")
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  [ "$rc" -ne 0 ] && status=1
done

if [ -x tests/load/run.sh ]; then
  log "short load run (zero loss at QoS 1)"
  if tests/load/run.sh --quick --mqtt-port "$MQTT_PORT" --influx-url "$SMARTCITY_TEST_INFLUX_URL"; then passed=$((passed + 1)); else failed=$((failed + 1)); status=1; fi
fi

echo
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
