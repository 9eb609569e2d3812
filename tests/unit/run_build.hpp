#pragma once
// One build of a command through a real Builder and event loop, for the tests of what a build runs as.

#include <unistd.h>

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "build/builder.hpp"
#include "core/event_loop.hpp"
#include "temp_dir.hpp"

namespace hotswap {

// Runs `cmd` once in a fresh directory (`prepare` fills it first) and returns how the build ended.
inline std::optional<BuildResult> run_build(const std::string& cmd, int nice, bool idle = false,
                                            const std::function<void(const std::filesystem::path&)>& prepare = {}) {
    const int signals[] = {SIGTERM};
    auto loop = EventLoop::create(signals).value();
    hotswap::testing::TempDir temp{"hotswap-build"};
    const std::filesystem::path& dir = temp.path();
    if (prepare) prepare(dir);
    BuildOptions options;
    options.cmd = cmd;
    options.cwd = dir;
    options.state_dir = dir;
    options.env = {"PATH=/usr/bin:/bin"};
    options.unblock = &loop->blocked_signals();
    options.nice = nice;
    options.idle = idle;
    std::optional<BuildResult> result;
    Builder builder(*loop, options, [&](BuildResult r) {
        result = std::move(r);
        loop->stop(0);
    });
    builder.request(ChangeSet{});
    auto deadline = loop->after(Duration(60'000), [&] { loop->stop(1); });  // a generous bound, not a measurement
    loop->run();
    if (!result) ADD_FAILURE() << "the build never finished";
    return result;
}

}  // namespace hotswap
