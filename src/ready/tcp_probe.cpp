#include "ready/tcp_probe.hpp"

#include <fmt/core.h>

namespace hotswap {

void TcpProbe::attempt() {
    auto targets = connect_targets(target_);
    if (!targets.ok()) {
        fail(targets.error().to_string());
        return;
    }
    connect_.start(std::move(targets.value()), [this](FileDescriptor fd, std::string failure) {
        if (fd) {
            succeed();
        } else {
            fail(std::move(failure));
        }
    });
}

std::string TcpProbe::describe() const {
    std::string text = fmt::format("a connection to {}", target_.display());
    if (!last_failure().empty()) text += fmt::format(" (last attempt: {})", last_failure());
    return text;
}

}  // namespace hotswap
