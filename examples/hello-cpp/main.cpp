// hello-cpp: the smallest useful server for hotswap. It takes its listening socket the systemd way with
// libhotswap (or binds $PORT itself), says READY=1 when it can serve, answers GET / with its version, and
// stops gracefully on SIGTERM so hotswap can swap versions without dropping a request.

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <optional>
#include <string>

#include <hotswap.hpp>

#include "handler.hpp"
#include "listening_socket.hpp"
#include "server.hpp"

int main() {
    // The stop signals are read from a signalfd by the loop, so they are blocked before anything else.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    sigprocmask(SIG_BLOCK, &stop_signals, nullptr);

    ListeningSocket socket = take_listening_socket();
    if (!socket.fd) return 1;
    std::optional<Server> server = Server::create(std::move(socket.fd), stop_signals);
    if (!server) return 1;

    std::fprintf(stderr, "hello-cpp %s serving on %s (pid %d)\n", app_version(), socket.origin.c_str(),
                 int(::getpid()));
    // The socket is listening and the loop is set up: hotswap may now drain the previous version.
    hotswap::ready();
    hotswap::status(std::string("hello-cpp ") + app_version() + " serving");
    return server->run();
}
