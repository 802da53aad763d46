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
command -v openssl >/dev/null || missing+=(openssl)   # the MQTT TLS tests make their CA and certificates
[ -x /usr/bin/influxd ] || missing+=(influxdb)
command -v influx >/dev/null || missing+=(influxdb-client)
[ -x /usr/bin/victoria-metrics ] || missing+=(victoria-metrics)
command -v curl >/dev/null || missing+=(curl)
command -v ss >/dev/null || missing+=(iproute2)   # the socket-buffer check in the integration tests
command -v promtool >/dev/null || missing+=(prometheus)   # promtool check metrics on /metrics
command -v systemd-analyze >/dev/null || missing+=(systemd)   # systemd-analyze verify on deploy/systemd
command -v chromium >/dev/null || missing+=(chromium)   # the status-page tests drive it through Playwright
[ -x /usr/sbin/nats-server ] || missing+=(nats-server)          # MQTT 3.1.1 broker tests (#19)
[ -x /usr/sbin/rabbitmq-server ] || missing+=(rabbitmq-server)  # MQTT 3.1.1 broker tests (#19)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq || { echo "apt-get update failed" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null || { echo "apt-get install ${missing[*]} failed" >&2; exit 1; }
fi

# --- start the servers on free loopback ports ---------------------------------------------------
. "$ROOT/tests/lib/servers.sh"
WORK=$(mktemp -d /tmp/smartcity-test.XXXXXX)
PIDS=()
cleanup() {
  [ -n "${RABBITMQ_NODE:-}" ] && stop_rabbitmq
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

RABBITMQ_MQTT_PORT=$(free_port 18840)
log "starting RabbitMQ (MQTT plugin) on 127.0.0.1:$RABBITMQ_MQTT_PORT in the background"
start_rabbitmq "$WORK" "$RABBITMQ_MQTT_PORT"   # about 20 s: waited for below, after the others are up

MQTT_PORT=$(free_port 18830)
log "starting Mosquitto on 127.0.0.1:$MQTT_PORT"
start_mosquitto "$WORK" "$MQTT_PORT" || { echo "Mosquitto did not start" >&2; exit 1; }
PIDS+=("$MOSQUITTO_PID")

INFLUX_PORT=$(free_port 18086)
log "starting InfluxDB 1.6.7 on 127.0.0.1:$INFLUX_PORT"
start_influxdb "$WORK" "$INFLUX_PORT" || { PIDS+=("$INFLUX_PID"); echo "InfluxDB did not start" >&2; exit 1; }
PIDS+=("$INFLUX_PID")

VM_PORT=$(free_port 18428)
log "starting VictoriaMetrics on 127.0.0.1:$VM_PORT"
start_victoria_metrics "$WORK" "$VM_PORT" || { PIDS+=("$VM_PID"); echo "VictoriaMetrics did not start" >&2; exit 1; }
PIDS+=("$VM_PID")

NATS_MQTT_PORT=$(free_port 18850)
log "starting nats-server (MQTT listener, JetStream) on 127.0.0.1:$NATS_MQTT_PORT"
start_nats_mqtt "$WORK" "$NATS_MQTT_PORT" || { PIDS+=("$NATS_PID"); echo "nats-server did not start" >&2; exit 1; }
PIDS+=("$NATS_PID")
wait_rabbitmq "$RABBITMQ_MQTT_PORT" 90 || { echo "RabbitMQ did not start" >&2; exit 1; }

export SMARTCITY_TEST_NATS_MQTT_PORT=$NATS_MQTT_PORT SMARTCITY_TEST_RABBITMQ_MQTT_PORT=$RABBITMQ_MQTT_PORT
export SMARTCITY_TEST_MQTT_PORT=$MQTT_PORT
export SMARTCITY_TEST_INFLUX_URL=http://127.0.0.1:$INFLUX_PORT
export SMARTCITY_TEST_VM_URL=http://127.0.0.1:$VM_PORT
export SMARTCITY_TEST_CHROMIUM=$(command -v chromium)
export SMARTCITY_TEST_ARTIFACTS="${SMARTCITY_TEST_ARTIFACTS:-$ROOT/artifacts/screenshots}"   # status-page screenshots

# --- build once, then run each test project -----------------------------------------------------
log "building"
dotnet build SmartCity.IoT.sln -c Release -nologo -v q || { echo "build failed" >&2; exit 1; }

passed=0; failed=0; skipped=0; status=0
for proj in tests/*Tests/*.csproj; do
  log "testing $(basename "$proj" .csproj)"
  out="$WORK/$(basename "$proj").out"
  # The whole output goes to the file first: a display cut short must never cut the test run short (SIGPIPE).
  dotnet test "$proj" -c Release --no-build -nologo >"$out" 2>&1
  rc=$?
  grep -vE "^\s*$|^Test run for|^A total of|^Results File" "$out" | head -300
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
  log "short load run on a three-node NATS JetStream cluster (zero loss, one instance SIGKILLed)"
  if tests/load/run.sh --nats --count 20000 --mqtt-port "$MQTT_PORT" --influx-url "$SMARTCITY_TEST_INFLUX_URL"; then passed=$((passed + 1)); else failed=$((failed + 1)); status=1; fi
fi

echo
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
