#include "supervise/service_dirs.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <string_view>
#include <system_error>

#include <fmt/core.h>

namespace hotswap {

ServiceDirs::~ServiceDirs() {
    std::error_code ec;
    if (!runtime_.empty()) std::filesystem::remove_all(runtime_, ec);
}

Result<void> ServiceDirs::open(const Config& config) {
    const char* systemd_state = std::getenv("STATE_DIRECTORY");
    if (config.verb == Verb::Serve && systemd_state && *systemd_state) {
        std::string_view first(systemd_state);
        state_ = std::string(first.substr(0, first.find(':')));
    } else {
        state_ = config.root / ".hotswap";
        if (::mkdir(state_.c_str(), 0700) != 0 && errno != EEXIST)
            return Error::from_errno("mkdir", state_.string(), errno);
    }
    const char* base = std::getenv("XDG_RUNTIME_DIR");
    std::string templ = fmt::format("{}/hotswap-XXXXXX", base && *base ? base : "/tmp");
    if (!::mkdtemp(templ.data())) return Error::from_errno("mkdtemp", templ, errno);
    runtime_ = templ;
    return {};
}

}  // namespace hotswap
