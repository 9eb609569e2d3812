#pragma once
// BuildRunner: what the supervisor asks of the build: build for these changes (cancelling a stale build),
// stop, and whether one runs. Builder (builder.hpp) is the real one; a unit test hands the supervisor a
// fake that reports results when the test says so.

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "core/change.hpp"
#include "core/duration.hpp"

namespace hotswap {

enum class BuildOutcome { Succeeded, Failed, TimedOut, CouldNotStart };

struct BuildResult {
    BuildOutcome outcome = BuildOutcome::Failed;
    int wait_status = 0;
    Duration duration{0};
    std::vector<std::string> tail;  // the last lines of output, for the failure summary
    std::string message;            // one sentence for the user
    ChangeSet changes;              // what this build was for
};

class BuildRunner {
public:
    using DoneCallback = std::function<void(BuildResult)>;
    virtual ~BuildRunner() = default;

    // Builds for `changes`; a build under way is cancelled first and its changes are folded into this one.
    virtual void request(ChangeSet changes) = 0;
    // Stops a running build without starting another (hotswap is shutting down).
    virtual void abort() = 0;
    virtual bool busy() const = 0;
    // The build's process, 0 when none runs (it is known, not a leftover).
    virtual pid_t pid() const = 0;
};

}  // namespace hotswap
