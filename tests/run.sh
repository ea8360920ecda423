#!/usr/bin/env bash
# The one test command: installs what the tests need, starts the servers they use, runs every test.
# Runs as root on a fresh Debian 12 machine (CI) or as a developer with sudo.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# Debian packages the tests use: openssl for signature interop.
PACKAGES=(openssl)
# Pi target: fleet-boot under dash + shellcheck, systemd-analyze verify on the unit, and `fleet device burn`
# (xz to decode images, mtools to edit the FAT boot partition; sfdisk/mkfs.vfat/mkfs.ext4/fsck.vfat to build and
# check test images; losetup for the block-device test).
PACKAGES+=(dash shellcheck systemd xz-utils mtools dosfstools fdisk e2fsprogs mount util-linux coreutils)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "tests/run.sh: installing ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1

dotnet build Fleet.sln -c Release -nologo -v quiet
dotnet test Fleet.sln -c Release --no-build -nologo
