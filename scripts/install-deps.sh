#!/usr/bin/env bash
# Installs every Debian package hotswap needs to build, test and run its demo.
# Usage: scripts/install-deps.sh [--test|--bench]   (adds the peers the tests or the benchmarks drive)
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libtomlplusplus-dev libcli11-dev libfmt-dev nlohmann-json3-dev
  node-llhttp  # llhttp's C sources (/usr/share/llhttp), compiled into hotswap by src/front/
  libgtest-dev libgmock-dev libbenchmark-dev libsodium-dev
  golang-go curl procps
)
case "${1:-}" in
  # chromium: the headless browser of the live-reload tests and benchmark (tests/e2e/lib/browser.py)
  --test) packages+=(wrk inotify-tools systemd util-linux clang libclang-rt-14-dev minisign socat python3 chromium) ;;
  --bench) packages+=(wrk inotify-tools hyperfine entr reflex time haproxy linux-perf strace python3 chromium) ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
