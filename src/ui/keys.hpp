#pragma once
// InteractiveKeys: one-key commands while hotswap runs in a terminal (r reload, b rollback, q quit, h help;
// the meaning of each key is the caller's). The terminal goes into non-canonical, no-echo mode so a key
// acts without Enter, and comes back exactly as it was on every way out: the destructor, exit(), and a
// fatal signal (the handler restores it and then lets the signal do what it would have done).
// Nothing happens when the fd is not a terminal, or when hotswap runs in the background of a shell (touching
// the terminal from there would stop us with SIGTTOU).

#include <termios.h>

#include <functional>
#include <memory>

#include "core/event_loop.hpp"
#include "core/result.hpp"

namespace hotswap {

class InteractiveKeys {
public:
    using KeyHandler = std::function<void(char key)>;

    // nullptr when `fd` is not a foreground terminal (keys are then simply off, not an error).
    static Result<std::unique_ptr<InteractiveKeys>> attach(EventLoop& loop, int fd, KeyHandler on_key);
    InteractiveKeys(EventLoop& loop, int fd, const termios& saved, KeyHandler on_key);
    ~InteractiveKeys();
    InteractiveKeys(const InteractiveKeys&) = delete;
    InteractiveKeys& operator=(const InteractiveKeys&) = delete;

    // Puts the terminal back now (idempotent); keys stop working.
    void restore();

private:
    void on_readable(uint32_t events);

    EventLoop& loop_;
    int fd_;
    termios saved_;
    KeyHandler on_key_;
    bool active_ = true;
};

// True when `fd` is a terminal whose foreground process group is ours (or that is not our controlling
// terminal at all, so it cannot stop us).
bool is_foreground_terminal(int fd);

}  // namespace hotswap
