#!/usr/bin/env bash
# Profiles the embedded-broker hub under `Fleet.Bench load`: a thread-time trace of the connect storm, GC and
# runtime counters plus a heap dump with every device connected, and a trace of the telemetry phase.
# Needs: dotnet tool install -g dotnet-trace --version 10.0.750501 (likewise dotnet-counters, dotnet-gcdump),
# the Release builds of hub/Fleet.Hub and tools/Fleet.Bench. Output in $OUT (default /tmp/fleet-bench-profile).
# Usage: tools/Fleet.Bench/profile-load.sh [extra Fleet.Bench load options]
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/fleet-bench-profile}
TOOLS=~/.dotnet/tools
mkdir -p "$OUT"
ulimit -n 20000
LOG=$OUT/bench.log
dotnet tools/Fleet.Bench/bin/Release/net10.0/Fleet.Bench.dll load --modes embedded --devices 1000 --seconds 12 \
  --readings 40 --fanout-devices 0 --out "$OUT/table.md" "$@" > "$LOG" 2>&1 &
BENCH=$!
wait_for() { until grep -q "$1" "$LOG"; do kill -0 $BENCH 2>/dev/null || { cat "$LOG"; exit 1; }; sleep 0.2; done; }
wait_for "provisioned"
HUB=$(pgrep -f "Fleet.Hub.dll --data-dir /tmp/fleet-bench-hub-" | head -1)
echo "hub pid $HUB"
"$TOOLS/dotnet-counters" collect -p "$HUB" --counters System.Runtime --format csv -o "$OUT/counters.csv" --duration 00:00:40 > /dev/null 2>&1 &
wait_for "connect storm"
"$TOOLS/dotnet-trace" collect -p "$HUB" --profile dotnet-sampled-thread-time --duration 00:00:00:12 -o "$OUT/storm.nettrace" > /dev/null
wait_for "steady telemetry"
# Every device is still connected here; the dump pauses the hub briefly, so this run's telemetry figures are not ones to quote.
"$TOOLS/dotnet-gcdump" collect -p "$HUB" -o "$OUT/held.gcdump" > /dev/null
"$TOOLS/dotnet-trace" collect -p "$HUB" --profile dotnet-sampled-thread-time --duration 00:00:00:08 -o "$OUT/telemetry.nettrace" > /dev/null
wait $BENCH
grep -v '^|' "$LOG" | tail -5
for t in storm telemetry; do
  "$TOOLS/dotnet-trace" convert "$OUT/$t.nettrace" --format Speedscope -o "$OUT/$t" > /dev/null || true
  "$TOOLS/dotnet-trace" report "$OUT/$t.nettrace" topN -n 15 || true
done
"$TOOLS/dotnet-gcdump" report "$OUT/held.gcdump" | head -30
