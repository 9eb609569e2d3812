#pragma once
// Server: a single-threaded epoll loop serving HTTP/1.1 keep-alive connections on one listening socket,
// with a graceful stop: on SIGTERM or SIGINT it stops accepting, answers what is already in flight (with
// "Connection: close"), closes idle connections, and returns 0.

#include <signal.h>

#include <chrono>
#include <optional>
#include <string>
#include <unordered_map>

#include "unique_fd.hpp"

class Server {
public:
    // `stop_signals` must already be blocked; they are read from a signalfd. Empty (and one line on
    // stderr) when the loop cannot be set up.
    static std::optional<Server> create(UniqueFd listener, const sigset_t& stop_signals);

    // Serves until a stop signal, then drains. Returns the exit status.
    int run();

private:
    using Clock = std::chrono::steady_clock;
    struct Connection {
        UniqueFd fd;
        std::string in, out;
        bool close_after_write = false;
        bool waiting_to_write = false;  // registered for EPOLLOUT
        Clock::time_point last_activity = Clock::now();
    };

    Server(UniqueFd listener, UniqueFd epoll, UniqueFd signals);
    void accept_connections();
    void on_connection_event(int fd, uint32_t events);
    void read_from(Connection& c);
    void answer_requests(Connection& c);
    void write_to(Connection& c);
    void close_connection(int fd);
    void begin_stopping();
    void close_idle_connections();

    UniqueFd listener_, epoll_, signals_;
    std::unordered_map<int, Connection> connections_;
    bool stopping_ = false;
    Clock::time_point stop_deadline_;
};
