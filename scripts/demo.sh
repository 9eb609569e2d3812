#!/usr/bin/env bash
# Installs what is missing, builds hotswap, and runs it on the bundled example server (examples/hello-cpp).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
cd "$root/examples/hello-cpp"
cat <<MSG

  hotswap is supervising examples/hello-cpp.
  Open     http://127.0.0.1:8080/     (or: curl http://127.0.0.1:8080/)
  Edit     examples/hello-cpp/version.hpp   and save: hotswap rebuilds and swaps the server
           without dropping a request. Put a syntax error in it: the old version keeps serving.
  Stop     Ctrl-C

MSG
exec "$root/build/src/hotswap" "$@"
