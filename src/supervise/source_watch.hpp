#pragma once
// SourceWatch: what starts an upgrade from the file system. Run mode: the project's sources (the watch
// paths, filtered and ignored as configured), settled into one ChangeSet per burst. Serve mode: the
// artifact alone (and its signature), settled longer, since a deploy may copy a binary in many writes.
// The supervisor only holds it (changes arrive through the callback); a unit test holds a fake instead, and
// calls the callback itself.

#include <filesystem>
#include <functional>
#include <memory>

#include "config/config.hpp"
#include "core/change.hpp"
#include "core/event_loop.hpp"
#include "core/result.hpp"

namespace hotswap {

class SourceWatch {
public:
    using OnChanges = std::function<void(ChangeSet)>;

    // The project's sources; `artifact` (the build output, may be empty) is not a source.
    static Result<std::unique_ptr<SourceWatch>> sources(EventLoop& loop, const Config& config,
                                                        const std::filesystem::path& artifact, OnChanges on_changes);
    // serve: the binary, and BINARY.minisig when `with_signature`.
    static Result<std::unique_ptr<SourceWatch>> artifact(EventLoop& loop, const Config& config,
                                                         const std::filesystem::path& binary, bool with_signature,
                                                         OnChanges on_changes);

    virtual ~SourceWatch() = default;
    SourceWatch(const SourceWatch&) = delete;
    SourceWatch& operator=(const SourceWatch&) = delete;

protected:
    SourceWatch() = default;
};

}  // namespace hotswap
