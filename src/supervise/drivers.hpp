#pragma once
// Drivers: what a Supervisor starts that reaches out to processes and the file system: the build, the
// app's processes and the watch of the sources (run) or the artifact (serve). The supervisor decides; the
// drivers do. real_drivers() are the ones hotswap runs with; a unit test hands in fakes together with a
// manual clock (EventLoop::create_manual) and drives DESIGN.md §3 without a single process
// (tests/unit/supervise_transitions_test.cpp).

#include <filesystem>
#include <functional>
#include <memory>

#include "build/build_runner.hpp"
#include "build/builder.hpp"
#include "config/config.hpp"
#include "core/event_loop.hpp"
#include "core/result.hpp"
#include "proc/child_process.hpp"
#include "supervise/source_watch.hpp"

namespace hotswap {

struct Drivers {
    std::function<std::unique_ptr<BuildRunner>(EventLoop& loop, BuildOptions options, BuildRunner::DoneCallback done)>
        builder;
    SpawnChild spawn_app;
    std::function<Result<std::unique_ptr<SourceWatch>>(EventLoop& loop, const Config& config,
                                                       const std::filesystem::path& artifact,
                                                       SourceWatch::OnChanges on_changes)>
        watch_sources;
    std::function<Result<std::unique_ptr<SourceWatch>>(EventLoop& loop, const Config& config,
                                                       const std::filesystem::path& binary, bool with_signature,
                                                       SourceWatch::OnChanges on_changes)>
        watch_artifact;
};

// Builder, Child and SourceWatch: real builds, processes and inotify.
Drivers real_drivers();

}  // namespace hotswap
