#pragma once
// The socket hello-cpp serves on: the one passed by hotswap or systemd (LISTEN_FDS), else one bound here.

#include <string>

#include "unique_fd.hpp"

struct ListeningSocket {
    UniqueFd fd;
    std::string origin;  // for the startup line: "fd 3 passed by the supervisor", "127.0.0.1:8080"
};

// Takes the passed socket, or binds 127.0.0.1:$PORT (8080 when PORT is unset). On failure, prints one
// sentence saying what to do and returns an empty fd.
ListeningSocket take_listening_socket();
