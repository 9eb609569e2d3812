#include "proc/process.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string_view>

#include <fmt/core.h>

#include "proc/orphan_guard.hpp"
#include "proc/program_path.hpp"

namespace hotswap {

namespace {

// What the child reports through the exec-status pipe when a step before exec fails.
enum class ChildStage : int { Chdir = 1, Dup = 2, Exec = 3, ParentGone = 4 };

struct ChildReport {
    ChildStage stage;
    int errnum;
};

// The file execve runs for argv[0]: execvp's search of the child's PATH, done before the fork (nothing may
// allocate after it). A name with a '/' goes to execve as written, resolved by the kernel in the child's cwd.
std::string program_to_exec(const SpawnSpec& spec) {
    const std::string& name = spec.argv[0];
    if (name.find('/') != std::string::npos) return name;
    std::string_view search = kDefaultSearchPath;
    for (const auto& kv : spec.env)
        if (kv.starts_with("PATH=")) search = std::string_view(kv).substr(5);
    // Relative PATH entries count from the child's cwd, where execvp would have looked.
    std::error_code ec;
    std::filesystem::path cwd =
        spec.cwd.empty() ? std::filesystem::current_path(ec) : std::filesystem::absolute(spec.cwd, ec);
    if (auto found = find_program(name, cwd, search)) return found->string();
    return name;  // execve reports ENOENT, which becomes the user's error message
}

// Writes the decimal pid into buf (no allocation: runs between fork and exec).
void write_pid(char* buf, pid_t pid) {
    char digits[24];
    int n = 0;
    do {
        digits[n++] = char('0' + pid % 10);
        pid /= 10;
    } while (pid > 0);
    while (n > 0) *buf++ = digits[--n];
    *buf = '\0';
}

[[noreturn]] void child_fail(int report_fd, ChildStage stage) {
    ChildReport r{stage, errno};
    ssize_t ignored = ::write(report_fd, &r, sizeof r);
    (void)ignored;
    ::_exit(127);
}

// Everything the child needs between clone and exec, prepared by the parent: the child shares the parent's
// memory and must not allocate.
struct ChildArgs {
    const char* path;
    char* const* argv;
    char* const* envp;
    char* listen_pid;  // "LISTEN_PID=" and room for the digits; null: not set
    int stdin_fd;
    int output_fd;
    int report_fd;
    int nlisten;
    const int* listen;
    const char* cwd;
    pid_t parent;
    int fd_limit;
    const sigset_t* unblock;
    int niceness;  // INT_MIN: leave it
    bool idle_priority;
};

// The child, from clone to exec: only async-signal-safe calls, on its own stack, in the parent's memory
// (the parent waits: CLONE_VFORK). Never returns.
int child_main(void* opaque) {
    const ChildArgs& a = *static_cast<const ChildArgs*>(opaque);
    int rfd = a.report_fd;
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != a.parent) {  // the supervisor died before PDEATHSIG was armed
        errno = 0;
        child_fail(rfd, ChildStage::ParentGone);
    }
    // A handler of hotswap's would run here, in hotswap's memory, if its signal arrived before exec: every
    // caught signal goes back to its default first (exec would reset them anyway).
    for (int sig = 1; sig < NSIG; ++sig) {
        struct sigaction old{};
        if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN)
            ::signal(sig, SIG_DFL);
    }
    ::signal(SIGPIPE, SIG_DFL);
    if (a.unblock) ::sigprocmask(SIG_UNBLOCK, a.unblock, nullptr);
    // Set here, not after the spawn, so every process the child starts inherits them from its first
    // instruction. A refusal (a seccomp filter) leaves the priority as it was; the parent checks.
    if (a.niceness != INT_MIN) ::setpriority(PRIO_PROCESS, 0, a.niceness);
    if (a.idle_priority) {
        sched_param none{};
        ::sched_setscheduler(0, SCHED_IDLE, &none);
    }

    // Move every fd we hand over above the target range first, so dup2 never overwrites a source.
    const int high = 3 + a.nlisten + 3;
    int in = ::fcntl(a.stdin_fd, F_DUPFD_CLOEXEC, high);
    int out = a.output_fd >= 0 ? ::fcntl(a.output_fd, F_DUPFD_CLOEXEC, high) : -1;
    int moved[64];
    if (a.nlisten > 64) { errno = EMFILE; child_fail(rfd, ChildStage::Dup); }
    for (int i = 0; i < a.nlisten; ++i) {
        moved[i] = ::fcntl(a.listen[i], F_DUPFD_CLOEXEC, high);
        if (moved[i] < 0) child_fail(rfd, ChildStage::Dup);
    }
    if (rfd < high) {  // keep the report pipe out of the way too
        rfd = ::fcntl(rfd, F_DUPFD_CLOEXEC, high + a.nlisten + 2);
    }
    if (in < 0 || ::dup2(in, 0) < 0) child_fail(rfd, ChildStage::Dup);
    if (out >= 0 && (::dup2(out, 1) < 0 || ::dup2(out, 2) < 0)) child_fail(rfd, ChildStage::Dup);
    for (int i = 0; i < a.nlisten; ++i)  // dup2 clears O_CLOEXEC on the target: exactly these survive exec
        if (::dup2(moved[i], 3 + i) < 0) child_fail(rfd, ChildStage::Dup);
    // Everything above them closes at exec, including fds hotswap itself inherited without O_CLOEXEC
    // from whatever started it: a generation gets stdio and its listeners, nothing else (DESIGN.md §4).
    // Marked rather than closed, so the report pipe still works if exec fails.
    if (::syscall(SYS_close_range, 3 + a.nlisten, ~0U, CLOSE_RANGE_CLOEXEC) != 0)
        for (int fd = 3 + a.nlisten; fd < a.fd_limit; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    if (a.listen_pid) write_pid(a.listen_pid + 11, ::getpid());
    if (a.cwd && ::chdir(a.cwd) != 0) child_fail(rfd, ChildStage::Chdir);
    ::execve(a.path, a.argv, a.envp);
    child_fail(rfd, ChildStage::Exec);
}

}  // namespace

Result<Process> Process::spawn(const SpawnSpec& spec) {
    if (spec.argv.empty()) return Error::message("no command to run");

    // Everything the child needs is built here, before the clone: the child must not allocate.
    std::string path = program_to_exec(spec);
    std::vector<char*> argv;
    for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (const auto& e : spec.env) envp.push_back(const_cast<char*>(e.c_str()));
    std::string listen_pid(32, '\0');
    std::memcpy(listen_pid.data(), "LISTEN_PID=", 11);
    if (spec.set_listen_pid) envp.push_back(listen_pid.data());
    envp.push_back(nullptr);

    FileDescriptor devnull;
    int stdin_fd = spec.stdin_fd;
    if (stdin_fd < 0) {
        devnull.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
        if (!devnull) return Error::from_errno("open", "/dev/null", errno);
        stdin_fd = devnull.get();
    }
    HS_TRY(report, make_pipe());
    // Fallback bound for marking fds close-on-exec one by one (kernels before 5.11 lack close_range).
    rlimit nofile{};
    const int fd_limit = ::getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < 65536 ? int(nofile.rlim_cur) : 65536;
    const ChildArgs args{path.c_str(),
                         argv.data(),
                         envp.data(),
                         spec.set_listen_pid ? listen_pid.data() : nullptr,
                         stdin_fd,
                         spec.output_fd,
                         report.write.get(),
                         int(spec.listen_fds.size()),
                         spec.listen_fds.data(),
                         spec.cwd.empty() ? nullptr : spec.cwd.c_str(),
                         ::getpid(),
                         fd_limit,
                         spec.unblock,
                         spec.niceness.value_or(INT_MIN),
                         spec.idle_priority};

    // vfork semantics, as posix_spawn has them: the child borrows hotswap's memory until it execs, so
    // nothing is copied (fork would copy hotswap's page tables, then fault on each page either side
    // writes), and hotswap waits meanwhile. The child runs on a stack of its own, never on ours.
    constexpr size_t kChildStack = 64 * 1024;
    auto stack = std::make_unique<char[]>(kChildStack);
    pid_t pid = ::clone(child_main, stack.get() + kChildStack, CLONE_VM | CLONE_VFORK | SIGCHLD,
                        const_cast<ChildArgs*>(&args));
    if (pid < 0) return Error::from_errno("clone");

    Process process;
    process.pid_ = pid;
    // Also in the parent, so a signal to the group sent right after fork cannot miss the child.
    ::setpgid(pid, pid);
    OrphanGuard::watch_group(pid);  // if hotswap is killed, the guard kills the group
    report.write.reset();
    ChildReport r{};
    ssize_t n;
    do n = ::read(report.read.get(), &r, sizeof r);
    while (n < 0 && errno == EINTR);
    if (n == sizeof r) {
        // The child is exiting with 127; the event loop's reaper collects it.
        process.exited_ = true;
        switch (r.stage) {
            case ChildStage::Chdir: return Error::from_errno("chdir", spec.cwd, r.errnum);
            case ChildStage::Dup: return Error::from_errno("dup2", r.errnum);
            case ChildStage::ParentGone: return Error::message("hotswap is exiting");
            case ChildStage::Exec:
                if (r.errnum == ENOENT)
                    return Error::message(fmt::format("cannot run '{}': no such file or command in PATH", spec.argv[0]));
                if (r.errnum == EACCES)
                    return Error::message(fmt::format("cannot run '{}': permission denied (is it executable?)", path));
                return Error::from_errno("execve", path, r.errnum);
        }
    }
    int pidfd = int(::syscall(SYS_pidfd_open, pid, 0));
    if (pidfd >= 0) {
        ::fcntl(pidfd, F_SETFD, FD_CLOEXEC);  // pidfds are always close-on-exec; this is belt and braces
        process.pidfd_.reset(pidfd);
    }
    return process;
}

Process::~Process() { kill_group(); }

void Process::kill_group() {
    // RAII for children: whatever of the group is still alive goes with us.
    if (pid_ <= 0) return;
    ::kill(-pid_, SIGKILL);
    OrphanGuard::forget_group(pid_);
}

Process::Process(Process&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), pidfd_(std::move(other.pidfd_)), exited_(other.exited_) {}

Process& Process::operator=(Process&& other) noexcept {
    if (this != &other) {
        kill_group();
        pid_ = std::exchange(other.pid_, -1);
        pidfd_ = std::move(other.pidfd_);
        exited_ = other.exited_;
    }
    return *this;
}

void Process::release() {
    pid_ = -1;
    pidfd_.reset();
}

Result<void> Process::signal_group(int signo) {
    if (pid_ <= 0) return {};
    if (::kill(-pid_, signo) != 0 && errno != ESRCH) return Error::from_errno("kill");
    return {};
}

std::string describe_wait_status(int status) {
    if (WIFEXITED(status)) return fmt::format("exit status {}", WEXITSTATUS(status));
    if (WIFSIGNALED(status))
        return fmt::format("killed by {}{}", signal_name(WTERMSIG(status)), WCOREDUMP(status) ? " (core dumped)" : "");
    return fmt::format("wait status {}", status);
}

}  // namespace hotswap
