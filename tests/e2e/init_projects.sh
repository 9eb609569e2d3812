#!/usr/bin/env bash
# `hotswap init`: writes a hotswap.toml that works for the project it finds, behind the front ([proxy]):
# a real CMake project, Go module and Python script, each a server that listens on $PORT, are built, run,
# edited and swapped with nothing but the generated file (its front moved to a free port), each answering
# through the front's address; the Go one is swapped under keep-alive load with no failed request. init
# refuses to overwrite a file without --force, and says what to do where it recognises nothing.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/control_common.sh"
source "$(dirname "$0")/lib/go_offline.sh"

# use_free_front: points the generated file's front at a free port (the language's usual one may be
# taken on this machine); sets front_port, and front to its URL.
use_free_front() {
    local port
    port=$(free_port)
    front_port=$port
    grep -qE '^address = "127\.0\.0\.1:[0-9]+"$' hotswap.toml || { cat hotswap.toml >&2; fail "no front address in the file"; }
    sed -i -E "s/^address = \"127\.0\.0\.1:[0-9]+\"$/address = \"127.0.0.1:$port\"/" hotswap.toml
    front="http://127.0.0.1:$port/"
}

# ---- CMake: a C++ server on $PORT
mkdir -p "$WORK/project"
cd "$WORK/project"
cat >CMakeLists.txt <<'CMAKE'
cmake_minimum_required(VERSION 3.16)
project(greeter CXX)
add_executable(greeter main.cpp)
CMAKE
write_main() {
    cat >main.cpp.tmp <<CPP
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <string>
int main() {
    const char* port = std::getenv("PORT");
    if (!port) { std::puts("greeter: no PORT"); return 1; }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(std::atoi(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || listen(fd, 64) != 0) {
        std::perror("greeter");
        return 1;
    }
    std::printf("greeter says $1\n");
    std::fflush(stdout);
    const std::string body = "greeter says $1";
    const std::string response = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) +
                                 "\r\nConnection: close\r\n\r\n" + body;
    for (;;) {
        int client = accept(fd, nullptr, nullptr);
        if (client < 0) continue;
        std::string request;
        char buffer[4096];
        ssize_t n;
        while (request.find("\r\n\r\n") == std::string::npos && (n = read(client, buffer, sizeof buffer)) > 0)
            request.append(buffer, size_t(n));
        (void)!write(client, response.data(), response.size());
        close(client);
    }
}
CPP
    mv main.cpp.tmp main.cpp
}
write_main v1

expect 0 init
out_has "wrote hotswap.toml for the CMake project found in CMakeLists.txt.*open http://127.0.0.1:8080/"
grep -q 'cmd = \[".hotswap/cmake/greeter"\]' hotswap.toml || { cat hotswap.toml >&2; fail "the run command is not the executable"; }
grep -qx '\[proxy\]' hotswap.toml && grep -qx 'address = "127.0.0.1:8080"' hotswap.toml ||
    { cat hotswap.toml >&2; fail "no front on 127.0.0.1:8080"; }
pass "init detects the CMake project and its executable, and puts the front on 127.0.0.1:8080"

cp hotswap.toml "$WORK/first.toml"
echo "# my edits" >>hotswap.toml
expect 1 init
err_has "hotswap.toml exists already.*--force"
grep -q "# my edits" hotswap.toml || fail "init overwrote an existing hotswap.toml"
expect 0 init --force
cmp -s hotswap.toml "$WORK/first.toml" || fail "init --force did not write a fresh file"
pass "an existing hotswap.toml is kept unless --force"

use_free_front
start_hotswap
wait_until 120 body_is "$front" "greeter says v1" || fail "v1 never answered through the front"
wait_log "app#1 │ greeter says v1"
write_main v2
wait_until 120 body_is "$front" "greeter says v2" || fail "v2 never answered through the front"
stop_hotswap TERM || fail "hotswap exited non-zero"
pass "the generated file builds, runs and swaps the project, served through the front"

# ---- Go: the standard library's server on $PORT, swapped under keep-alive load
mkdir -p "$WORK/go"
cd "$WORK/go"
printf 'module example.com/team/initgo\n\ngo 1.19\n' >go.mod
cat >main.go <<'GO'
package main

import (
	"fmt"
	"net/http"
	"os"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintf(w, "initgo says %s", version) })
	fmt.Println("initgo", version, "listening on $PORT", os.Getenv("PORT"))
	if err := http.ListenAndServe("127.0.0.1:"+os.Getenv("PORT"), nil); err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
}
GO
set_go_version() {
    printf 'package main\n\nconst version = "%s"\n' "$1" >version.go.tmp
    mv version.go.tmp version.go
}
set_go_version v1

expect 0 init
out_has "wrote hotswap.toml for the Go module found in go.mod"
grep -qx 'address = "127.0.0.1:8080"' hotswap.toml || { cat hotswap.toml >&2; fail "no front on 127.0.0.1:8080"; }
use_free_front
start_hotswap
wait_until 120 body_is "$front" "initgo says v1" || fail "v1 never answered through the front"
start_load "$front_port" 4
set_go_version v2
wait_until 120 body_is "$front" "initgo says v2" || fail "v2 never answered through the front"
wait_event exit 1 '"generation":1,'
expect_no_failed_requests "the Go module's swap through the front"
stop_hotswap TERM || fail "hotswap exited non-zero"
pass "a Go server on \$PORT is swapped through the front under keep-alive load: 0 failed requests ($LOAD_OK ok)"

# ---- Python: a script of the standard library's http.server on $PORT, no build
mkdir -p "$WORK/python"
cd "$WORK/python"
printf '[project]\nname = "initpy"\nversion = "0.1"\n' >pyproject.toml
write_server() {
    cat >server.py.tmp <<PY
import http.server
import os


class Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"initpy says $1"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


print("initpy says $1", flush=True)
http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT"])), Hello).serve_forever()
PY
    mv server.py.tmp server.py
}
write_server v1

expect 0 init
out_has "wrote hotswap.toml for the Python project found in pyproject.toml.*open http://127.0.0.1:8000/"
grep -qx 'cmd = \["python3", "server.py"\].*' hotswap.toml || { cat hotswap.toml >&2; fail "the run command is not the script"; }
use_free_front
start_hotswap
wait_until 60 body_is "$front" "initpy says v1" || fail "v1 never answered through the front"
write_server v2
wait_until 60 body_is "$front" "initpy says v2" || fail "v2 never answered through the front"
stop_hotswap TERM || fail "hotswap exited non-zero"
pass "a Python project is detected, run and swapped through the front with no build"

mkdir "$WORK/empty"
cd "$WORK/empty"
expect 1 init
err_has "no go.mod, Cargo.toml, CMakeLists.txt, package.json or Python project"
[[ ! -e hotswap.toml ]] || fail "init wrote a file for nothing"
pass "nothing recognised: a clear message and no file"
