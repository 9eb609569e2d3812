#include "control/control_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <variant>

#include <fmt/core.h>

#include "control/client_output.hpp"
#include "control/socket_path.hpp"
#include "core/duration.hpp"
#include "core/file_descriptor.hpp"

namespace hotswap {

namespace {

using nlohmann::json;

// Quick questions get an answer at once from a healthy supervisor; reload/rollback/stop wait for as long
// as the swap takes (a build, a readiness timeout): Ctrl-C gives up waiting, not the reload.
constexpr Duration kQuickAnswerTimeout{10'000};

struct ClientError {
    ClientExit exit;
    std::string message;
};

class Connection {
public:
    static std::variant<Connection, ClientError> open(const std::filesystem::path& path) {
        Connection c;
        c.fd_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (!c.fd_) return ClientError{ClientExit::Unreachable, Error::from_errno("socket").to_string()};
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
        if (::connect(c.fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return c;
        int err = errno;
        if (err == ECONNREFUSED || err == ENOENT)
            return ClientError{ClientExit::Unreachable,
                               "no hotswap is running for this directory (its control socket is left over from "
                               "one that was killed; start hotswap again)"};
        if (err == EACCES || err == EPERM)
            return ClientError{ClientExit::Unreachable,
                               fmt::format("permission denied: the control socket {} belongs to another user; run "
                                           "this as the user running hotswap",
                                           path.string())};
        return ClientError{ClientExit::Unreachable, Error::from_errno("connect", path.string(), err).to_string()};
    }

    Result<void> send(const json& request) {
        std::string line = control_line(request);
        std::string_view rest = line;
        while (!rest.empty()) {
            ssize_t n = ::send(fd_.get(), rest.data(), rest.size(), MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return Error::from_errno("send");
            rest.remove_prefix(size_t(n));
        }
        return {};
    }

    // One answer line; nullopt when the supervisor hung up (or `timeout` passed) before answering.
    std::optional<json> receive(std::optional<Duration> timeout) {
        auto deadline = Clock::now() + timeout.value_or(Duration(0));
        while (buffer_.find('\n') == std::string::npos) {
            if (timeout) {
                auto left = std::chrono::duration_cast<Duration>(deadline - Clock::now()).count();
                pollfd p{fd_.get(), POLLIN, 0};
                if (left <= 0 || ::poll(&p, 1, int(left)) == 0) return std::nullopt;
            }
            char buf[8192];
            ssize_t n = ::recv(fd_.get(), buf, sizeof buf, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return std::nullopt;
            buffer_.append(buf, size_t(n));
        }
        size_t nl = buffer_.find('\n');
        auto reply = json::parse(std::string_view(buffer_).substr(0, nl), nullptr, false);
        buffer_.erase(0, nl + 1);
        if (reply.is_discarded() || !reply.is_object()) return std::nullopt;
        return reply;
    }

    // Blocks until the supervisor closes the connection: it does so only when it exits.
    void wait_closed() {
        char buf[512];
        for (;;) {
            ssize_t n = ::recv(fd_.get(), buf, sizeof buf, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return;
        }
    }

private:
    FileDescriptor fd_;
    std::string buffer_;
};

int report(ClientExit exit, std::string_view message, bool as_json) {
    if (as_json) fmt::print("{}", control_line(control_error(message, ControlErrorCode::Failed)));
    fmt::print(stderr, "hotswap: {}\n", message);
    return int(exit);
}

}  // namespace

int run_control_client(const ClientOptions& options) {
    // 1. Find the supervisor of this directory or the nearest parent.
    std::error_code ec;
    auto path = find_control_socket(std::filesystem::current_path(ec));
    if (!path)
        return report(ClientExit::Unreachable,
                      "no hotswap is running for this directory or its parents: start one with `hotswap` here",
                      options.json);

    // 2. Ask.
    auto opened = Connection::open(*path);
    if (auto* error = std::get_if<ClientError>(&opened)) return report(error->exit, error->message, options.json);
    Connection& connection = std::get<Connection>(opened);
    ControlRequest request{options.command, options.artifact};
    bool quick = options.command == ControlCommand::Status || options.command == ControlCommand::History;
    std::optional<json> answer;
    if (auto sent = connection.send(to_json(request)); !sent) {
        // A supervisor that refuses us answers at once and hangs up, maybe before our request is out:
        // its answer says why, so read it before reporting the broken pipe.
        answer = connection.receive(kQuickAnswerTimeout);
        if (!answer)
            return report(ClientExit::Unreachable, "the supervisor closed the connection: " + sent.error().to_string(),
                          options.json);
    } else {
        answer = connection.receive(quick ? std::optional<Duration>(kQuickAnswerTimeout) : std::nullopt);
        // A reload says what it waits for ({"progress": …}, no "ok") before its answer.
        while (answer && !answer->contains("ok") && answer->contains("progress")) {
            if (!options.json) fmt::print(stderr, "{}\n", string_field(*answer, "progress"));
            answer = connection.receive(std::nullopt);
        }
    }
    if (!answer)
        return report(ClientExit::Unreachable,
                      quick ? "the supervisor did not answer within 10 s" : "the supervisor closed the connection "
                                                                            "without an answer (did it exit?)",
                      options.json);
    const json& r = *answer;
    const bool ok = bool_field(r, "ok", false);

    // 3. Show the answer.
    if (options.json) fmt::print("{}\n", r.dump(2, ' ', false, json::error_handler_t::replace));
    if (!ok) {
        std::string why = string_field(r, "error", string_field(r, "message", "the supervisor refused"));
        if (!options.json) fmt::print(stderr, "hotswap: {}\n", why);
        return int(string_field(r, "code") == to_string(ControlErrorCode::PermissionDenied) ? ClientExit::Unreachable
                                                                                         : ClientExit::Failed);
    }
    switch (options.command) {
        case ControlCommand::Status:
            if (!options.json) fmt::print("{}", format_status(r));
            if (options.ready_check && !bool_field(r, "serving", false)) return int(ClientExit::Failed);
            break;
        case ControlCommand::History:
            if (!options.json) fmt::print("{}", format_history(r));
            break;
        case ControlCommand::Stop:
            if (!options.json) {
                auto pid = r.find("pid");
                fmt::print("stopping hotswap (pid {})…\n", pid != r.end() && pid->is_number_integer() ? pid->get<int64_t>() : 0);
            }
            std::fflush(stdout);
            connection.wait_closed();  // returns once the supervisor has drained everything and exited
            if (!options.json) fmt::print("stopped\n");
            break;
        case ControlCommand::Reload:
        case ControlCommand::Rollback:
            if (!options.json) fmt::print("{}\n", string_field(r, "message", "done"));
            break;
    }
    return int(ClientExit::Ok);
}

}  // namespace hotswap
