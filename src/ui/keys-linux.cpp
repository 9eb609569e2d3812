#include "ui/keys.hpp"

#include <signal.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <iterator>

namespace hotswap {

namespace {

// The one terminal in raw mode, for the async-signal-safe restore paths (atexit, fatal signals).
// Plain globals: a signal handler may read them, and only tcsetattr() is called from there.
volatile sig_atomic_t g_raw_fd = -1;
termios g_saved{};

constexpr int kFatalSignals[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL};
struct sigaction g_previous[sizeof kFatalSignals / sizeof kFatalSignals[0]];

void restore_saved_terminal() {
    int fd = g_raw_fd;
    if (fd >= 0) {
        ::tcsetattr(fd, TCSANOW, &g_saved);
        g_raw_fd = -1;
    }
}

void on_fatal_signal(int signo) {
    restore_saved_terminal();
    // Hand the signal to whoever had it before (the default action, or a sanitizer's report).
    for (size_t i = 0; i < std::size(kFatalSignals); ++i)
        if (kFatalSignals[i] == signo) ::sigaction(signo, &g_previous[i], nullptr);
    ::raise(signo);
}

void install_restore_paths() {
    static bool installed = false;
    if (installed) return;
    installed = true;
    std::atexit(restore_saved_terminal);
    struct sigaction sa{};
    sa.sa_handler = on_fatal_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_NODEFER;
    for (size_t i = 0; i < std::size(kFatalSignals); ++i) ::sigaction(kFatalSignals[i], &sa, &g_previous[i]);
}

}  // namespace

bool is_foreground_terminal(int fd) {
    if (!::isatty(fd)) return false;
    pid_t foreground = ::tcgetpgrp(fd);
    return foreground < 0 || foreground == ::getpgrp();
}

Result<std::unique_ptr<InteractiveKeys>> InteractiveKeys::attach(EventLoop& loop, int fd, KeyHandler on_key) {
    if (!is_foreground_terminal(fd) || g_raw_fd >= 0) return std::unique_ptr<InteractiveKeys>();
    termios saved{};
    if (::tcgetattr(fd, &saved) != 0) return Error::from_errno("tcgetattr");
    termios raw = saved;
    // Keys without Enter and without echo. ISIG stays on: Ctrl-C and Ctrl-\ still reach us as signals, so
    // the usual way out works even if the loop were busy. Output processing (OPOST) stays on too.
    raw.c_lflag &= tcflag_t(~(ICANON | ECHO));
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    g_saved = saved;
    install_restore_paths();
    if (::tcsetattr(fd, TCSANOW, &raw) != 0) return Error::from_errno("tcsetattr");
    g_raw_fd = fd;
    auto keys = std::make_unique<InteractiveKeys>(loop, fd, saved, std::move(on_key));
    InteractiveKeys* self = keys.get();
    if (auto added = loop.add_fd(fd, EPOLLIN, [self](uint32_t events) { self->on_readable(events); }); !added) {
        keys->restore();
        return added.take_error();
    }
    return keys;
}

InteractiveKeys::InteractiveKeys(EventLoop& loop, int fd, const termios& saved, KeyHandler on_key)
    : loop_(loop), fd_(fd), saved_(saved), on_key_(std::move(on_key)) {}

InteractiveKeys::~InteractiveKeys() { restore(); }

void InteractiveKeys::restore() {
    if (!active_) return;
    active_ = false;
    loop_.remove_fd(fd_);
    ::tcsetattr(fd_, TCSANOW, &saved_);
    if (g_raw_fd == fd_) g_raw_fd = -1;
}

void InteractiveKeys::on_readable(uint32_t events) {
    // Blocking fd, but epoll said readable and VMIN=1: one read() returns what is there without waiting.
    char buf[64];
    ssize_t n = (events & EPOLLIN) ? ::read(fd_, buf, sizeof buf) : 0;
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
    if (n <= 0) {  // the terminal is gone (hangup): no more keys
        restore();
        return;
    }
    for (ssize_t i = 0; i < n && active_; ++i) on_key_(buf[i]);
}

}  // namespace hotswap
