#include "control/control_client.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include <fmt/core.h>

#include "control/socket_path.hpp"
#include "core/file_descriptor.hpp"

namespace hotswap {

namespace {

Result<nlohmann::json> round_trip(const std::filesystem::path& path, const nlohmann::json& request) {
    FileDescriptor fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) return Error::from_errno("socket");
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        return Error::from_errno("connect", path.string(), errno);
    std::string line = request.dump() + "\n";
    if (::send(fd.get(), line.data(), line.size(), MSG_NOSIGNAL) != ssize_t(line.size()))
        return Error::from_errno("send", path.string(), errno);
    std::string reply;
    char buf[8192];
    while (reply.find('\n') == std::string::npos) {
        ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        reply.append(buf, size_t(n));
    }
    auto json = nlohmann::json::parse(reply.substr(0, reply.find('\n')), nullptr, false);
    if (json.is_discarded() || !json.is_object())
        return Error::message("the supervisor closed the connection without an answer");
    return json;
}

void print_status(const nlohmann::json& r) {
    fmt::print("supervising {} (pid {})\n", r.value("root", "?"), r.value("pid", 0));
    for (const auto& g : r.value("generations", nlohmann::json::array()))
        fmt::print("  app#{:<4} {:<9} pid {:<7} up {:<10} {}\n", g.value("id", 0), g.value("state", "?"),
                   g.value("pid", 0), g.value("uptime", ""), g.value("artifact", ""));
    if (r.contains("last_reload")) fmt::print("  last reload: {}\n", r["last_reload"].get<std::string>());
    if (r.contains("build")) fmt::print("  build: {}\n", r["build"].get<std::string>());
}

void print_history(const nlohmann::json& r) {
    for (const auto& a : r.value("artifacts", nlohmann::json::array()))
        fmt::print("{:<22} {:<8} built in {:>6} ms  {}{}\n", a.value("id", ""), a.value("outcome", ""),
                   a.value("build_ms", 0), a.value("git_revision", ""),
                   a.value("reason", "").empty() ? "" : "  (" + a.value("reason", "") + ")");
}

}  // namespace

int run_control_client(const ClientOptions& options) {
    std::error_code ec;
    auto path = find_control_socket(std::filesystem::current_path(ec));
    if (!path) {
        if (options.json) fmt::print("{}\n", control_error("no hotswap is running for this directory").dump());
        else fmt::print(stderr, "hotswap: no hotswap is running for this directory or its parents\n");
        return 3;
    }
    nlohmann::json request{{"cmd", to_string(options.command)}};
    if (options.artifact) request["id"] = *options.artifact;
    auto reply = round_trip(*path, request);
    if (!reply) {
        fmt::print(stderr, "hotswap: cannot reach the supervisor: {}\n", reply.error().to_string());
        return 3;
    }
    const nlohmann::json& r = *reply;
    bool ok = r.value("ok", false);
    if (options.json) {
        fmt::print("{}\n", r.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
    } else if (!ok) {
        fmt::print(stderr, "hotswap: {}\n", r.value("error", "the supervisor refused"));
    } else {
        switch (options.command) {
            case ControlCommand::Status: print_status(r); break;
            case ControlCommand::History: print_history(r); break;
            default: fmt::print("{}\n", r.value("message", "done"));
        }
    }
    if (!ok) return 1;
    if (options.ready_check && !r.value("serving", false)) return 1;
    return 0;
}

}  // namespace hotswap
