#pragma once
// The client verbs (hotswap status|reload|rollback|history|stop): find the supervisor of this directory
// (or a parent), send one request, print the answer for a person or as JSON, map it to an exit status.

#include <optional>
#include <string>

#include "control/protocol.hpp"

namespace hotswap {

struct ClientOptions {
    ControlCommand command;
    std::optional<std::string> artifact;  // rollback ID
    bool json = false;
    bool ready_check = false;  // status --ready: exit 0 only when a generation serves
};

// Returns the process exit status: 0 success, 1 the supervisor said no (or a reload was rolled back),
// 3 no supervisor running here.
int run_control_client(const ClientOptions& options);

}  // namespace hotswap
