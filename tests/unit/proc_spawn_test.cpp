// Process::spawn hands a child exactly stdio and the listeners: fds hotswap inherited without O_CLOEXEC
// from whatever started it stay behind, LISTEN_PID is the child's own pid, and an exec failure is an Error.

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>

#include "proc/process.hpp"

using namespace hotswap;

namespace {

// Runs `script` with /bin/sh and returns its exit status.
int run_shell(const std::string& script, std::vector<int> listen_fds = {}, bool listen_pid = false) {
    SpawnSpec spec;
    spec.argv = {"/bin/sh", "-c", script};
    spec.env = {"PATH=/usr/bin:/bin"};
    spec.listen_fds = std::move(listen_fds);
    spec.set_listen_pid = listen_pid;
    auto process = Process::spawn(spec);
    if (!process) ADD_FAILURE() << process.error().to_string();
    if (!process) return -1;
    int status = 0;
    ::waitpid(process->pid(), &status, 0);
    process->mark_exited();
    process->release();
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

TEST(ProcessSpawn, InheritedFdsWithoutCloexecDoNotReachTheChild) {
    int leaked = ::open("/dev/null", O_RDONLY);  // no O_CLOEXEC, on purpose
    ASSERT_GE(leaked, 3);
    int moved = ::fcntl(leaked, F_DUPFD, 200);  // and one far up, like a shell's saved fds
    ASSERT_GE(moved, 200);
    std::string script = "[ -e /proc/self/fd/" + std::to_string(leaked) + " ] && exit 1; [ -e /proc/self/fd/" +
                         std::to_string(moved) + " ] && exit 2; exit 0";
    EXPECT_EQ(run_shell(script), 0);
    ::close(leaked);
    ::close(moved);
}

TEST(ProcessSpawn, ListenersAreFdsThreeOnwardAndNothingElse) {
    int a = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int b = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    // `ls` lists its own fds: stdio, the two listeners and the directory it reads (fd 5), nothing more.
    EXPECT_EQ(run_shell("case $(readlink /proc/self/fd/3) in socket:*) ;; *) exit 1;; esac; "
                        "case $(readlink /proc/self/fd/4) in socket:*) ;; *) exit 2;; esac; "
                        "[ \"$(ls /proc/self/fd | sort -n | tr '\\n' ' ')\" = '0 1 2 3 4 5 ' ] || exit 3",
                        {a, b}),
              0);
    ::close(a);
    ::close(b);
}

TEST(ProcessSpawn, ListenPidIsTheChildsOwnPid) {
    EXPECT_EQ(run_shell("[ \"$LISTEN_PID\" = \"$$\" ]", {}, true), 0);
    EXPECT_EQ(run_shell("[ -z \"$LISTEN_PID\" ]", {}, false), 0);
}

TEST(ProcessSpawn, ExecFailureIsAnErrorNotAChildThatExits127) {
    SpawnSpec spec;
    spec.argv = {"/nonexistent/hotswap-test-binary"};
    auto process = Process::spawn(spec);
    ASSERT_FALSE(process);
    EXPECT_NE(process.error().to_string().find("no such file"), std::string::npos) << process.error().to_string();
    ::waitpid(-1, nullptr, WNOHANG);
}
