#!/usr/bin/env bash
# Status-page latency at 10,000 devices (BENCHMARKS.md, "Status pages at 10,000 devices").
#
#   tests/load/page-latency.sh [--per-profile N] [--rate R] [--requests N]
#
# Starts the built gateway (Release) in demo mode on free loopback ports with its embedded broker and N simulated
# devices per profile (default 715: 10,010 devices over the 14 profiles) reporting at R messages/s (default 2,500), waits
# until every device has reported (at most 120 s) and 20 s more, then, after 5 warm-up requests per page, times
# --requests (default 30) rounds of one GET of each page in turn with curl and prints median, p95 and max per page. Stops the gateway it started; exits 1 if a page did not answer 200.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PER_PROFILE=715 RATE=2500 REQUESTS=30
while [ $# -gt 0 ]; do
  case "$1" in
    --per-profile) PER_PROFILE=${2:?}; shift ;;
    --rate) RATE=${2:?}; shift ;;
    --requests) REQUESTS=${2:?}; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
. "$ROOT/tests/lib/servers.sh"
BIN="$ROOT/src/SmartCity.IoT.Gateway/bin/Release/net10.0/SmartCity.IoT.Gateway"
[ -x "$BIN" ] || { echo "build first: dotnet build src/SmartCity.IoT.Gateway -c Release" >&2; exit 1; }
WORK=$(mktemp -d /tmp/smartcity-page-latency.XXXXXX)
HTTP_PORT=$(free_port 18480); BROKER_PORT=$(free_port 18890)
BASE=http://127.0.0.1:$HTTP_PORT
(cd "$WORK" && exec env SMARTCITY__Http__Urls=$BASE SMARTCITY__Alerts__ExternalUrl=$BASE SMARTCITY__Mqtt__Host= SMARTCITY__Mqtt__EmbeddedPort=$BROKER_PORT \
  SMARTCITY__Simulator__Enabled=auto SMARTCITY__Simulator__Rate=$RATE SMARTCITY__Simulator__DevicesPerProfile=$PER_PROFILE \
  SMARTCITY__Influx__Url= SMARTCITY__Spool__Path=$WORK/spool SMARTCITY__Alerts__OutboxPath=$WORK/alerts.db SMARTCITY__DeadLetter__Path=$WORK/deadletter \
  SMARTCITY__Gateway__RulesCheckpointPath=$WORK/rules.checkpoint SMARTCITY__Gateway__DevicesPath=$ROOT/devices SMARTCITY__Gateway__RulesPath=$ROOT/config/rules \
  "$BIN" >"$WORK/gateway.log" 2>&1) &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$WORK"' EXIT
PROFILES=$(ls "$ROOT"/devices/*/*.yaml | wc -l)
WANT=$((PER_PROFILE * PROFILES))
# Every profile's devices, or (profiles the simulator cannot encode send nothing) a count that held for 10 s.
last=0 still=0
for _ in $(seq 1 120); do
  seen=$(curl -s "$BASE/" | grep -oE 'Devices<b class="">[0-9,]+' | grep -oE '[0-9,]+$' | tr -d ,)
  [ "${seen:-0}" -ge "$WANT" ] && break
  if [ "${seen:-0}" -gt 0 ] && [ "${seen:-0}" = "$last" ]; then still=$((still + 1)); else still=0; fi
  [ "$still" -ge 10 ] && break
  last=${seen:-0}
  sleep 1
done
sleep 20 # past the first burst of alerts the new devices fire
echo "devices: ${seen:-0} of $WANT; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
PAGES=("/" "/?page=2" "/?q=am319" "/?open=hq/3" "/alerts" "/device?profile=milesight%2Fam319&id=am319-0001" "/webhooks" "/flow" "/api/status")
for page in "${PAGES[@]}"; do
  code=$(curl -s -o /dev/null -w "%{http_code}" "$BASE$page")
  [ "$code" = 200 ] || { echo "$page answered $code" >&2; status=1; }
  for _ in 1 2 3 4 5; do curl -s -o /dev/null "$BASE$page"; done # warm-up (JIT)
done
# Round robin, so a busy moment of the machine or the gateway falls on every page alike.
for _ in $(seq 1 "$REQUESTS"); do
  for i in "${!PAGES[@]}"; do curl -s -o /dev/null -w "%{time_total} %{size_download}\n" "$BASE${PAGES[$i]}" >>"$WORK/times.$i"; done
done
for i in "${!PAGES[@]}"; do
  sort -n "$WORK/times.$i" | awk -v p="${PAGES[$i]}" '{t[NR]=$1*1000; b=$2} END {printf "%-50s %8.1f KiB  median %6.1f ms  p95 %6.1f ms  max %6.1f ms\n", p, b/1024, t[int(NR/2)+1], t[int(NR*0.95)], t[NR]}'
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
