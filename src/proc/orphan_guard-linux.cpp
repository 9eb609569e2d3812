#include "proc/orphan_guard.hpp"

#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace hotswap {

namespace {

enum class Verb : char { Watch = 'w', Forget = 'f', Goodbye = 'g' };

struct Message {
    Verb verb;
    pid_t group;
};

// The socket and pid of the running guard, for Process to report to (hotswap is single-threaded).
int g_socket = -1;
pid_t g_pid = -1;

void send_message(Verb verb, pid_t group) {
    if (g_socket < 0 || group <= 0) return;
    const Message m{verb, group};
    // SEQPACKET keeps each message whole; MSG_NOSIGNAL: a guard that died is no reason to die too.
    while (::send(g_socket, &m, sizeof m, MSG_NOSIGNAL) < 0 && errno == EINTR) {
    }
}

}  // namespace

Result<OrphanGuard> OrphanGuard::start() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) return Error::from_errno("socketpair");
    FileDescriptor ours(fds[0]), theirs(fds[1]);
    // Everything exec needs, built before fork (execve does not write to its arguments).
    char* const argv[] = {const_cast<char*>(kProgramName), nullptr};
    char* const envp[] = {nullptr};
    pid_t pid = ::fork();
    if (pid < 0) return Error::from_errno("fork");
    if (pid == 0) {
        // Child: only async-signal-safe calls. fd 3 is the socket (dup2 clears its close-on-exec); nothing
        // else of hotswap's crosses exec (not its listening sockets: the port must close with hotswap).
        if (::dup2(theirs.get(), 3) < 0) ::_exit(127);
        ::syscall(SYS_close_range, 4U, ~0U, CLOSE_RANGE_CLOEXEC);
        ::execve("/proc/self/exe", argv, envp);
        ::_exit(127);
    }
    theirs.reset();
    FileDescriptor pidfd(int(::syscall(SYS_pidfd_open, pid, 0)));  // close-on-exec by definition
    g_socket = ours.get();
    g_pid = pid;
    return OrphanGuard(pid, std::move(pidfd), std::move(ours));
}

OrphanGuard::OrphanGuard(OrphanGuard&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), pidfd_(std::move(other.pidfd_)), socket_(std::move(other.socket_)) {}

OrphanGuard::~OrphanGuard() {
    if (pid_ <= 0) return;
    send_message(Verb::Goodbye, 1);
    if (g_socket == socket_.get()) {
        g_socket = -1;
        g_pid = -1;
    }
    socket_.reset();
    // It exits at once. Wait on its pidfd, with a bound, then collect it unless the event loop's reaper
    // already has (its pid could then belong to someone else: never wait on it blindly).
    if (pidfd_) {
        pollfd p{pidfd_.get(), POLLIN, 0};
        while (::poll(&p, 1, 1000) < 0 && errno == EINTR) {
        }
        ::waitid(P_PIDFD, id_t(pidfd_.get()), nullptr, WEXITED | WNOHANG);
    }
}

void OrphanGuard::run_guard() {
    ::prctl(PR_SET_NAME, kProgramName);
    // Not stdin/stdout/stderr either: a pipe reader of hotswap's output would wait for the guard too.
    ::syscall(SYS_close_range, 0U, 2U, 0U);
    constexpr int kSocket = 3;
    constexpr int kMaxGroups = 256;  // generations overlap two or three at a time, plus one build
    pid_t groups[kMaxGroups];
    int count = 0;
    for (;;) {
        Message m{};
        ssize_t n = ::recv(kSocket, &m, sizeof m, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n != ssize_t(sizeof m)) break;  // 0: hotswap is gone without a goodbye
        if (m.verb == Verb::Goodbye) ::_exit(0);
        if (m.verb == Verb::Watch && count < kMaxGroups) groups[count++] = m.group;
        if (m.verb == Verb::Forget)
            for (int i = 0; i < count; ++i)
                if (groups[i] == m.group) groups[i] = groups[--count];
    }
    for (int i = 0; i < count; ++i) ::kill(-groups[i], SIGKILL);
    ::_exit(0);
}

void OrphanGuard::watch_group(pid_t group) { send_message(Verb::Watch, group); }
void OrphanGuard::forget_group(pid_t group) { send_message(Verb::Forget, group); }
pid_t OrphanGuard::running_pid() { return g_pid; }

}  // namespace hotswap
