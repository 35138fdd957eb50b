#!/usr/bin/env bash
# Installs the Debian 12 packages culprit needs to build and test.
# Idempotent: refreshes the package lists, then installs only what is missing.
# Usage: scripts/setup.sh [build|e2e]   (default: build)
set -euo pipefail

build_pkgs=(
  g++ make cmake pkg-config ccache
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libsimdjson-dev libre2-dev libsqlite3-dev sqlite3 liblz4-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libtomlplusplus-dev libcli11-dev libssl-dev libcpp-httplib-dev
  clang-14 libclang-rt-14-dev
  python3 tzdata python3-grpcio python3-protobuf
  nginx haproxy stunnel4 iptables ulogd2 iproute2 openssl
)

want=("${build_pkgs[@]}")

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "setup: all ${#want[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "setup: missing packages (${missing[*]}) and not root; run as root" >&2
    exit 1
  fi
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"

# The end-to-end tests run their own nginx, HAProxy, stunnel and ulogd with
# their own configs on free loopback ports; they need the programs, not the
# system services. When this script installed one of them, stop and disable
# the service the package started (Debian starts nginx on :80), so running
# the tests leaves no server behind. Services installed before are left alone.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  for pair in nginx:nginx haproxy:haproxy stunnel4:stunnel4 ulogd2:ulogd2; do
    pkg="${pair%%:*}" unit="${pair##*:}"
    for m in "${missing[@]}"; do
      if [ "$m" = "$pkg" ]; then
        $SUDO systemctl disable --now "$unit" >/dev/null 2>&1 || true
      fi
    done
  done
fi
