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

# nats-server's MQTT listener (MQTT 3.1.1 only). It keeps MQTT sessions and QoS 1 messages in JetStream, which must
# be enabled, and JetStream needs a server name.
start_nats_mqtt() { # work-dir mqtt-port
  local dir=$1 port=$2 i
  mkdir -p "$dir/nats"
  cat > "$dir/nats.conf" <<CONF
server_name: smartcity-test
listen: 127.0.0.1:$(free_port $((port + 1)))
jetstream { store_dir: "$dir/nats" }
mqtt { listen: 127.0.0.1:$port }
CONF
  /usr/sbin/nats-server -c "$dir/nats.conf" >"$dir/nats.log" 2>&1 &
  NATS_PID=$!
  for ((i = 0; i < 100; i++)); do port_busy "$port" && return 0; sleep 0.1; done
  tail -20 "$dir/nats.log" >&2
  return 1
}

# RabbitMQ with its MQTT plugin (MQTT 3.1.1 only). It runs as the rabbitmq user, so its folder belongs to that user;
# every path and port comes from the environment, so it leaves the system's node alone. It takes about 20 s to listen:
# call start_rabbitmq early (it returns at once) and wait_rabbitmq where the port is needed; stop_rabbitmq stops it
# by its beam.smp PID, then its epmd.
start_rabbitmq() { # work-dir mqtt-port
  local dir=$1/rabbitmq port=$2
  mkdir -p "$dir/mnesia" "$dir/log"
  cat > "$dir/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$(free_port $((port + 1)))
mqtt.listeners.tcp.default = 127.0.0.1:$port
mqtt.allow_anonymous = true
loopback_users = none
CONF
  echo '[rabbitmq_mqtt].' > "$dir/enabled_plugins"
  chmod o+x "$1"   # the rabbitmq user must reach its folder inside a private work directory
  chown -R rabbitmq:rabbitmq "$dir" 2>/dev/null || true
  RABBITMQ_NODE="smartcity-test-$port"
  RABBITMQ_EPMD_PORT=$(free_port $((port + 21000)))
  RABBITMQ_DIR=$dir
  RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" \
    RABBITMQ_MNESIA_BASE="$dir/mnesia" RABBITMQ_LOG_BASE="$dir/log" RABBITMQ_FEATURE_FLAGS_FILE="$dir/feature_flags" \
    RABBITMQ_NODENAME="$RABBITMQ_NODE@localhost" RABBITMQ_DIST_PORT="$(free_port $((port + 20000)))" \
    ERL_EPMD_PORT="$RABBITMQ_EPMD_PORT" HOME="$dir" \
    /usr/sbin/rabbitmq-server >"$dir/server.log" 2>&1 &
}

wait_rabbitmq() { # mqtt-port seconds
  local port=$1 i
  for ((i = 0; i < $2 * 10; i++)); do port_busy "$port" && return 0; sleep 0.1; done
  tail -20 "$RABBITMQ_DIR/server.log" "$RABBITMQ_DIR"/log/*.log >&2 2>/dev/null
  return 1
}

stop_rabbitmq() {
  local beam epmd
  beam=$(pgrep -f "beam.smp.*-sname $RABBITMQ_NODE@localhost" | head -1)
  [ -n "$beam" ] && kill "$beam" 2>/dev/null
  for ((i = 0; i < 100; i++)); do [ -n "$beam" ] && kill -0 "$beam" 2>/dev/null || break; sleep 0.1; done
  epmd=$(ss -Hltnp "sport = :$RABBITMQ_EPMD_PORT" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
  [ -n "$epmd" ] && kill "$epmd" 2>/dev/null
  return 0
}

# For the short latency runs under tests/load: a work folder, the PIDS of the servers started into it, both cleaned up
# on exit, and a timestamped log line.
latency_run() { # name
  WORK=$(mktemp -d "/tmp/smartcity-$1.XXXXXX")
  PIDS=()
  trap latency_cleanup EXIT INT TERM
  log() { printf '=== %s  %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
}
latency_cleanup() { local p; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$WORK"; }

# Three nats-server nodes clustered on loopback, each with JetStream, an MQTT listener and the partition mapping in
# mapping-file (what `SmartCity.IoT.Gateway nats mappings` writes), as README "Scale out on NATS JetStream" shows.
# Sets NATS_URLS (every node, comma-separated), NATS_MQTT_PORTS and NATS_PIDS (arrays, one per node); waits until
# every node's /healthz answers 200 (routes up, JetStream ready).
start_nats_cluster() { # work-dir mapping-file
  local dir=$1/nats-cluster mapping=$2 i n routes="" ports=() p
  NATS_URLS="" NATS_MQTT_PORTS=() NATS_PIDS=() NATS_MONITORS=()
  mkdir -p "$dir"
  p=$(free_port 24222)
  for i in 0 1 2; do # client, mqtt, route, monitor
    ports+=("$p" $((p + 1)) $((p + 2)) $((p + 3)))
    p=$(free_port $((p + 4)))
  done
  for i in 0 1 2; do routes+="nats-route://127.0.0.1:${ports[i * 4 + 2]}, "; done
  for i in 0 1 2; do
    n=n$i
    mkdir -p "$dir/$n"
    {
      cat <<CONF
server_name: $n
listen: 127.0.0.1:${ports[i * 4]}
http: 127.0.0.1:${ports[i * 4 + 3]}
jetstream { store_dir: "$dir/$n" }
mqtt { listen: 127.0.0.1:${ports[i * 4 + 1]} }
cluster { name: smartcity-load, listen: 127.0.0.1:${ports[i * 4 + 2]}, routes: [ ${routes%, } ] }
CONF
      cat "$mapping"
    } >"$dir/$n.conf"
    /usr/sbin/nats-server -c "$dir/$n.conf" >"$dir/$n.log" 2>&1 &
    NATS_PIDS+=($!)
    NATS_URLS+="${NATS_URLS:+,}nats://127.0.0.1:${ports[i * 4]}"
    NATS_MQTT_PORTS+=("${ports[i * 4 + 1]}")
    NATS_MONITORS+=("http://127.0.0.1:${ports[i * 4 + 3]}")
  done
  for i in 0 1 2; do
    wait_http "${NATS_MONITORS[i]}/healthz" 200 60 && port_busy "${NATS_MQTT_PORTS[i]}" && continue
    tail -20 "$dir/n$i.log" >&2
    return 1
  done
}
