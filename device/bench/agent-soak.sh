#!/usr/bin/env bash
# Soak benchmark: runs the real agent in --simulate (1 Hz sampling of all 8 sensors, tank control, telemetry
# batching into the on-disk spool) for DURATION seconds and reports steady-state RSS and CPU.
#
#   device/bench/agent-soak.sh [DURATION_SECONDS (600)] [MODE: jit|r2r|trimmed|aot (jit)]
#
# jit:     dotnet Fleet.Device.dll from a Release build (framework-dependent).
# r2r:     self-contained linux-x64 publish with ReadyToRun (precompiled, less JIT at start).
# trimmed: self-contained linux-x64 publish, ReadyToRun + trimmed (trim warnings are not errors here).
# aot:     Native AOT linux-x64 publish (needs clang-14 or clang; trim/AOT warnings are not errors here).
# The first 60 s (or a fifth of short runs) are warm-up and left out of the steady figures.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-600}
MODE=${2:-jit}
WARMUP=$(( DURATION >= 300 ? 60 : DURATION / 5 ))
WORK=$(mktemp -d /tmp/fleet-soak-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
ROOT=$WORK/root
mkdir -p "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

case "$MODE" in
  jit)
    dotnet build device/Fleet.Device -c Release -nologo -v quiet >/dev/null
    CMD=(dotnet device/Fleet.Device/bin/Release/net10.0/Fleet.Device.dll) ;;
  r2r)
    dotnet publish device/Fleet.Device -c Release -r linux-x64 --self-contained -p:PublishReadyToRun=true -o "$WORK/app" -nologo -v quiet >"$WORK/publish.log" || { cat "$WORK/publish.log"; exit 1; }
    CMD=("$WORK/app/Fleet.Device") ;;
  trimmed)
    dotnet publish device/Fleet.Device -c Release -r linux-x64 --self-contained -p:PublishReadyToRun=true -p:PublishTrimmed=true -p:TrimmerSingleWarn=true -p:TreatWarningsAsErrors=false -o "$WORK/app" -nologo -v quiet >"$WORK/publish.log" || { cat "$WORK/publish.log"; exit 1; }
    CMD=("$WORK/app/Fleet.Device") ;;
  aot)
    CC=$(command -v clang || command -v clang-14 || { echo "agent-soak: aot needs clang (apt-get install clang)" >&2; exit 2; })
    dotnet publish device/Fleet.Device -c Release -r linux-x64 -p:PublishAot=true -p:CppCompilerAndLinker="$(basename "$CC")" -p:TreatWarningsAsErrors=false -o "$WORK/app" -nologo -v quiet >"$WORK/publish.log" || { cat "$WORK/publish.log"; exit 1; }
    CMD=("$WORK/app/Fleet.Device") ;;
  *) echo "agent-soak: unknown mode '$MODE' (use jit, r2r, trimmed or aot)" >&2; exit 2 ;;
esac

"${CMD[@]}" --simulate --root "$ROOT" >"$WORK/agent.log" 2>&1 &
PID=$!
# SIGTERM, not SIGINT: a background job of a non-interactive shell starts with SIGINT ignored.
trap 'kill -TERM $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
TICKS=$(getconf CLK_TCK)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$PID/status"; }

sleep "$WARMUP"
kill -0 $PID 2>/dev/null || { echo "agent-soak: agent exited during warm-up:"; cat "$WORK/agent.log"; exit 1; }
START_T=$(date +%s.%N); START_C=$(cpu_ticks)
SAMPLES=()
END=$(( $(date +%s) + DURATION - WARMUP ))
while [ "$(date +%s)" -lt "$END" ]; do
  SAMPLES+=("$(rss_kib)")
  sleep 10
done
END_T=$(date +%s.%N); END_C=$(cpu_ticks)
SAMPLES+=("$(rss_kib)")
BATCHES=$(ls "$ROOT/spool" | grep -c '^0' || true)

printf '%s\n' "${SAMPLES[@]}" | sort -n | awk -v mode="$MODE" -v dur="$DURATION" -v warm="$WARMUP" \
  -v c0="$START_C" -v c1="$END_C" -v t0="$START_T" -v t1="$END_T" -v hz="$TICKS" -v batches="$BATCHES" '
  { v[NR] = $1 }
  END {
    median = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    cpu = 100 * (c1 - c0) / hz / (t1 - t0)
    printf "mode=%s duration=%ss warmup=%ss samples=%d\n", mode, dur, warm, NR
    printf "steady RSS: median %.1f MiB, max %.1f MiB\n", median / 1024, v[NR] / 1024
    printf "CPU: %.2f%% of one core over %.0f s\n", cpu, t1 - t0
    printf "telemetry batches spooled: %d\n", batches
  }'
