#!/usr/bin/env bash
# Installs what is missing, builds hotswap, and runs it on the bundled example server (examples/hello-cpp)
# behind hotswap's HTTP front (each build gets a private socket at fd 3, notify readiness), so an edit swaps
# the server without dropping a request, keep-alive clients included. EXAMPLE=hello-web runs the web page
# example instead, for a browser: live reload, stylesheets swapped in place, build errors in the page.
# Extra arguments go to hotswap, e.g. --proxy 127.0.0.1:9090.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

example=${EXAMPLE:-hello-cpp}
case $example in
    hello-cpp) address=127.0.0.1:8080 ;;
    hello-web) address=127.0.0.1:8082 ;;
    *) echo "demo: EXAMPLE=$example: use hello-cpp or hello-web" >&2; exit 2 ;;
esac
# The address hotswap will listen on: the example's hotswap.toml says it, --proxy overrides it.
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    case ${args[i]} in
        --proxy) address=${args[i + 1]:-$address} ;;
        --proxy=*) address=${args[i]#--proxy=} ;;
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
    echo "demo: $address is already in use; choose another address: scripts/demo.sh --proxy 127.0.0.1:9090" >&2
    exit 1
fi

cd "$root/examples/$example"
if [[ $example == hello-web ]]; then
    cat <<MSG

  hotswap is supervising examples/hello-web (the first build takes a few seconds).
  Open     http://$address/   in a browser
  Edit     examples/hello-web/version.go        and save: the page reloads by itself once the new build
           serves. Put a syntax error in it: the compiler's error shows in the page, the old version
           keeps serving; fix it and the error goes.
  Edit     examples/hello-web/static/style.css  and save: the page's colours change in place, no build,
           no reload.
  Stop     Ctrl-C

MSG
    exec "$root/build/src/hotswap" "$@"
fi
cat <<MSG

  hotswap is supervising examples/hello-cpp (the first build takes a few seconds).
  Open     http://$address/     (or: curl http://$address/)
  Edit     examples/hello-cpp/version.hpp   and save: hotswap rebuilds and swaps the server behind its
           HTTP front, without dropping a request. Put a syntax error in it: the old version keeps serving.
  Watch    in another terminal, this loop stops at the first failed request (it never does):
           while curl -fsS http://$address/; do sleep 0.1; done
  Stop     Ctrl-C

MSG
exec "$root/build/src/hotswap" "$@"
