#!/usr/bin/env bash
# The one test command: installs what the tests need, starts the servers they use, runs every test.
# Runs as root on a fresh Debian 12 machine (CI) or as a developer with sudo.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# Debian packages the tests use: openssl for signature interop and certs/make-pki.sh, bsdutils for `script`
# (a pseudo-terminal for progress bars), mosquitto-clients for connecting with provisioned files as docs/hub.md shows.
PACKAGES=(openssl bsdutils mosquitto-clients)
# Scale-out: PostgreSQL for the hub's second provider and the cluster tests; Mosquitto as the external broker
# (the tests start their own mosquitto processes on free ports, never the system service).
PACKAGES+=(postgresql mosquitto)
# Browser tests: Playwright drives Debian's Chromium (browsers cannot be downloaded here).
PACKAGES+=(chromium)
# Pi target: fleet-boot under dash + shellcheck, systemd-analyze verify on the unit, and `fleet device burn`
# (xz to decode images, mtools to edit the FAT boot partition; sfdisk/mkfs.vfat/mkfs.ext4/fsck.vfat to build and
# check test images; losetup for the block-device test).
PACKAGES+=(dash shellcheck systemd xz-utils mtools dosfstools fdisk e2fsprogs mount util-linux coreutils)
# Emulated Pi (`fleet firmware build` tests): the self-contained linux-arm64 agent runs under qemu-user with Debian's
# arm64 libraries from multiarch (the loader lands in /lib/ld-linux-aarch64.so.1, so no QEMU_LD_PREFIX is needed).
if [ "$(dpkg --print-architecture)" != arm64 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
  echo "tests/run.sh: adding the arm64 architecture to dpkg"
  $SUDO dpkg --add-architecture arm64
fi
PACKAGES+=(qemu-user-static binfmt-support libc6:arm64 libstdc++6:arm64 libssl3:arm64 libicu72:arm64 zlib1g:arm64)
# Browser tests (tests/Fleet.Ui.Tests): Playwright drives Debian's Chromium at /usr/bin/chromium; no browser download.
PACKAGES+=(chromium)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "tests/run.sh: installing ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
fi

# TUF interop (tests/Fleet.Hub.Tests/Trust/TufJsInteropTests.cs) and the protocol conformance device
# (tests/Fleet.EndToEnd.Tests/Conformance): Debian's nodejs and npm, then tuf-js and mqtt as pinned in
# tests/tuf-js/package-lock.json and tests/conformance-js/package-lock.json. Checked by command, not package: a node
# from elsewhere that brings its own npm is fine.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "tests/run.sh: installing nodejs npm"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q nodejs npm
fi
npm ci --prefix tests/tuf-js --no-audit --no-fund --loglevel=error >/dev/null
npm ci --prefix tests/conformance-js --no-audit --no-fund --loglevel=error >/dev/null

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1

# A throwaway PostgreSQL cluster on 127.0.0.1 (exports FLEET_TEST_POSTGRES, stopped on exit).
# shellcheck source=tests/postgres.sh
source tests/postgres.sh

dotnet build Fleet.sln -c Release -nologo -v quiet
# Every test project runs; the last line sums them up ("N passed, N failed, N skipped").
log=$(mktemp)
status=0
# Two projects at a time (the machine's two cores), the longest first; then the UI suite alone, whose `fleet demo`
# builds and runs a whole fleet and must not share the cores with the hub's cluster and hostile-device suites.
others=$(ls tests/*/*.Tests.csproj | grep -v '/Fleet.Ui.Tests/' \
  | awk '/\/Fleet.Hub.Tests\// {print 0, $0; next} /EndToEnd/ {print 1, $0; next} /Cli.Tests/ {print 2, $0; next} {print 3, $0}' | sort | cut -d' ' -f2)
printf '%s\n' $others | xargs -P 2 -I{} dotnet test {} -c Release --no-build -nologo 2>&1 | tee "$log" || status=$?
dotnet test tests/Fleet.Ui.Tests/Fleet.Ui.Tests.csproj -c Release --no-build -nologo 2>&1 | tee -a "$log" || status=$?
awk '/^(Passed|Failed)!/ {
       for (i = 1; i <= NF; i++) {
         if ($i == "Passed:") p += $(i + 1); if ($i == "Failed:") f += $(i + 1); if ($i == "Skipped:") s += $(i + 1)
       }
     }
     END { gsub(",", "", p); printf "Total: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit "$status"
