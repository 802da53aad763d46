# Shared by test.sh and tests/load/run.sh (sourced, not run): starts the real servers on loopback, each with its own
# config and data folder under a work directory. Each start_* sets <NAME>_PID and returns non-zero (after printing the
# server's log) if the server did not come up.

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { local p=$1; while port_busy "$p"; do p=$((p + 1)); done; echo "$p"; }
wait_http() { # url expected-status seconds
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    [ "$(curl -s -m 2 -o /dev/null -w '%{http_code}' "$1" 2>/dev/null)" = "$2" ] && return 0
    sleep 0.1
  done
  return 1
}

# Mosquitto 2: an unlimited inflight window and a deep queue. The gateway acknowledges QoS 1 messages when their batch
# is durable, so it needs thousands unacknowledged at once; the default window of 20 would cap it at 20 per flush.
start_mosquitto() { # work-dir port
  local dir=$1 port=$2 bin i
  bin=$(command -v mosquitto || echo /usr/sbin/mosquitto)
  cat > "$dir/mosquitto.conf" <<CONF
listener $port 127.0.0.1
allow_anonymous true
persistence false
max_inflight_messages 0
max_queued_messages 2000000
max_queued_bytes 0
log_dest file $dir/mosquitto.log
CONF
  "$bin" -c "$dir/mosquitto.conf" >/dev/null 2>&1 &
  MOSQUITTO_PID=$!
  for ((i = 0; i < 100; i++)); do port_busy "$port" && return 0; sleep 0.1; done
  cat "$dir/mosquitto.log" >&2
  return 1
}

# InfluxDB 1.6.7: a large write cache so snapshots do not stall writes mid-run, no series limits for 10,000 devices,
# no HTTP or query logging, no self-monitoring.
start_influxdb() { # work-dir port
  local dir=$1 port=$2
  mkdir -p "$dir/influx"
  cat > "$dir/influxdb.conf" <<CONF
reporting-disabled = true
bind-address = "127.0.0.1:$(free_port $((port + 2)))"
[meta]
  dir = "$dir/influx/meta"
[data]
  dir = "$dir/influx/data"
  wal-dir = "$dir/influx/wal"
  query-log-enabled = false
  cache-max-memory-size = "2g"
  cache-snapshot-memory-size = "64m"
  cache-snapshot-write-cold-duration = "1m"
  max-series-per-database = 0
  max-values-per-tag = 0
[coordinator]
  write-timeout = "30s"
[http]
  bind-address = "127.0.0.1:$port"
  log-enabled = false
  max-body-size = 0
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
CONF
  /usr/bin/influxd -config "$dir/influxdb.conf" >"$dir/influxd.log" 2>&1 &
  INFLUX_PID=$!
  wait_http "http://127.0.0.1:$port/ping" 204 30 && return 0
  tail -20 "$dir/influxd.log" >&2
  return 1
}

# VictoriaMetrics: without -retentionPeriod it silently drops points older than a month.
start_victoria_metrics() { # work-dir port
  local dir=$1 port=$2
  /usr/bin/victoria-metrics -storageDataPath="$dir/vm" -httpListenAddr="127.0.0.1:$port" \
    -retentionPeriod=100y -search.latencyOffset=0s -search.maxUniqueTimeseries=1000000 -loggerLevel=ERROR >"$dir/vm.log" 2>&1 &
  VM_PID=$!
  wait_http "http://127.0.0.1:$port/health" 200 30 && return 0
  tail -20 "$dir/vm.log" >&2
  return 1
}
