#pragma once
// The client verbs (hotswap status|reload|rollback|history|stop): find the supervisor of this directory
// (or the nearest parent that has one), send one request, print the answer for a person or as JSON, and
// turn it into an exit status a script can rely on.

#include <optional>
#include <string>

#include "control/protocol.hpp"

namespace hotswap {

// Exit statuses of the client verbs (documented in --help and docs/operations.md).
enum class ClientExit {
    Ok = 0,           // done; reload/rollback: the new generation serves; status --ready: something serves
    Failed = 1,       // the supervisor said no: reload rolled back or failed, status --ready with nothing serving
    Usage = 2,        // bad command line (reported by the parser before we get here)
    Unreachable = 3,  // no supervisor for this directory, a stale socket, or not allowed to talk to it
};

struct ClientOptions {
    ControlCommand command = ControlCommand::Status;
    std::optional<std::string> artifact;  // rollback ID
    bool json = false;
    bool ready_check = false;  // status --ready
};

int run_control_client(const ClientOptions& options);

}  // namespace hotswap
