#!/usr/bin/env bash
# Installs what is missing, builds hotswap, and runs it on the bundled example server (examples/hello-cpp):
# fd mode (hotswap owns the socket and passes it to every build) with notify readiness, so an edit swaps
# the server without dropping a request. Extra arguments go to hotswap, e.g. -l 127.0.0.1:9090.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

# The address hotswap will listen on: the example's hotswap.toml says 127.0.0.1:8080, -l overrides it.
address=127.0.0.1:8080
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    case ${args[i]} in
        -l | --listen) address=${args[i + 1]:-$address} ;;
        --listen=*) address=${args[i]#--listen=} ;;
    esac
done
address=${address#*=}       # NAME=ADDR
address=${address#tcp://}
[[ $address == :* ]] && address=127.0.0.1$address

"$root/scripts/install-deps.sh"
# Only the hotswap binary: the tests and benchmarks are scripts/test.sh's business.
NINJA_FLAGS="${NINJA_FLAGS:-} hotswap" "$root/scripts/build.sh"

host=${address%:*} port=${address##*:}
if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
    echo "demo: $address is already in use; choose another address: scripts/demo.sh -l 127.0.0.1:9090" >&2
    exit 1
fi

cd "$root/examples/hello-cpp"
cat <<MSG

  hotswap is supervising examples/hello-cpp (the first build takes a few seconds).
  Open     http://$address/     (or: curl http://$address/)
  Edit     examples/hello-cpp/version.hpp   and save: hotswap rebuilds and swaps the server on the
           same socket, without dropping a request. Put a syntax error in it: the old version keeps serving.
  Watch    in another terminal, this loop stops at the first failed request (it never does):
           while curl -fsS http://$address/; do sleep 0.1; done
  Stop     Ctrl-C

MSG
exec "$root/build/src/hotswap" "$@"
