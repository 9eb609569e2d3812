#include "supervise/source_watch.hpp"

#include <cstdlib>

#include <fmt/core.h>

#include "ui/console.hpp"
#include "watch/debouncer.hpp"
#include "watch/watcher.hpp"

namespace hotswap {

namespace fs = std::filesystem;

namespace {

// A replaced artifact is taken once no change came for this long (or --debounce, when longer): a deploy
// may copy the binary in many writes, then put its signature next to it.
constexpr Duration kServeSettle{500};

// The real watch: a Watcher (inotify or polling) whose changes settle in a Debouncer.
class DebouncedWatch final : public SourceWatch {
public:
    DebouncedWatch(EventLoop& loop, const DebounceOptions& debounce, OnChanges on_changes)
        : debouncer_(std::make_unique<Debouncer>(loop, debounce, std::move(on_changes))) {}

    Result<void> start(EventLoop& loop, const WatchOptions& options) {
        HS_TRY(watcher, make_watcher(loop, options, [this](std::vector<Change> c) { debouncer_->add(std::move(c)); }));
        watcher_ = std::move(watcher);
        return watcher_->start();
    }
    WatchStats stats() const { return watcher_->stats(); }

private:
    std::unique_ptr<Debouncer> debouncer_;
    std::unique_ptr<Watcher> watcher_;
};

}  // namespace

Result<std::unique_ptr<SourceWatch>> SourceWatch::sources(EventLoop& loop, const Config& config,
                                                          const fs::path& artifact, OnChanges on_changes) {
    WatchOptions options;
    options.roots.clear();
    for (const auto& p : config.watch_paths) options.roots.push_back((config.root / p).lexically_normal().string());
    options.extensions = config.extensions;
    options.ignore = config.ignore;
    if (!artifact.empty()) options.ignore_paths.push_back(artifact.string());
    if (config.poll) options.poll_interval = *config.poll;
    options.on_warning = [](std::string_view text) { Console::get().warn(text); };
    // Seams for the tests and benchmarks only: a lower watch limit than the kernel's (which needs root to
    // lower, for everyone), and the debounce strategy to compare.
    if (const char* max = std::getenv("HOTSWAP_MAX_WATCHES")) options.max_watches = std::strtoul(max, nullptr, 10);
    DebounceOptions debounce;
    debounce.settle = config.debounce;
    debounce.max_wait = std::max(config.debounce * 10, Duration(1000));
    if (const char* strategy = std::getenv("HOTSWAP_DEBOUNCE")) (void)parse_debounce_strategy(strategy, debounce.strategy);
    auto watch = std::make_unique<DebouncedWatch>(loop, debounce, std::move(on_changes));
    HS_TRY_VOID(watch->start(loop, options));
    auto stats = watch->stats();
    Console::get().info(fmt::format("watching {} directories, {} files in {}", stats.directories, stats.files,
                                    format_duration(stats.setup_time)),
                        Tone::Dim);
    return std::unique_ptr<SourceWatch>(std::move(watch));
}

Result<std::unique_ptr<SourceWatch>> SourceWatch::artifact(EventLoop& loop, const Config& config, const fs::path& binary,
                                                           bool with_signature, OnChanges on_changes) {
    WatchOptions options;
    options.roots = {binary.string()};
    // The signature too: a deploy may put it in place after the binary, and that must be seen.
    fs::path signature = binary;
    signature += ".minisig";
    std::error_code ec;
    if (with_signature && fs::exists(signature, ec)) options.roots.push_back(signature.string());
    options.on_warning = [](std::string_view text) { Console::get().warn(text); };
    DebounceOptions debounce;
    debounce.settle = std::max(config.debounce, kServeSettle);
    debounce.max_wait = std::max(debounce.settle * 10, Duration(10'000));
    debounce.strategy = DebounceStrategy::Trailing;
    auto watch = std::make_unique<DebouncedWatch>(loop, debounce, std::move(on_changes));
    if (auto started = watch->start(loop, options); !started) return started.error().with_context("watching the artifact");
    return std::unique_ptr<SourceWatch>(std::move(watch));
}

}  // namespace hotswap
