#include "supervise/drivers.hpp"

#include "proc/child.hpp"

namespace hotswap {

Drivers real_drivers() {
    Drivers drivers;
    drivers.builder = [](EventLoop& loop, BuildOptions options, BuildRunner::DoneCallback done) -> std::unique_ptr<BuildRunner> {
        return std::make_unique<Builder>(loop, std::move(options), std::move(done));
    };
    drivers.spawn_app = [](EventLoop& loop, SpawnSpec spec, size_t tail_lines,
                           ChildProcess::Callbacks callbacks) -> Result<std::unique_ptr<ChildProcess>> {
        HS_TRY(child, Child::spawn(loop, std::move(spec), tail_lines, std::move(callbacks)));
        return std::unique_ptr<ChildProcess>(std::move(child));
    };
    drivers.watch_sources = &SourceWatch::sources;
    drivers.watch_artifact = &SourceWatch::artifact;
    return drivers;
}

}  // namespace hotswap
