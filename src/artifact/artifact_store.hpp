#pragma once
// ArtifactStore: every successful build's binary, copied into .hotswap/artifacts/<seq>-<sha256/12>,
// read-only, with its metadata. Generations run these copies, so a rebuild never touches a running
// binary ("text file busy", half-written executables) and any earlier good build can be started again.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/duration.hpp"
#include "core/result.hpp"
#include "core/change.hpp"

namespace hotswap {

enum class ArtifactOutcome { Untried, Good, Bad };
const char* to_string(ArtifactOutcome outcome);

struct Artifact {
    int seq = 0;
    std::string id;               // "<seq>-<sha256/12>"
    std::filesystem::path path;   // the read-only copy
    std::string sha256;
    int64_t created_unix_ms = 0;
    int64_t build_ms = 0;
    std::vector<std::string> changed;  // paths that triggered the build
    std::string git_revision;          // empty outside a git work tree
    ArtifactOutcome outcome = ArtifactOutcome::Untried;
    std::string reason;                // why it was marked bad
};

class ArtifactStore {
public:
    // Opens (creating) `dir` and reads its index; `keep` is how many artifacts stay on disk.
    static Result<ArtifactStore> open(std::filesystem::path dir, size_t keep);

    // Copies `built` into the store. A missing or non-executable file is a failed build, said plainly.
    Result<Artifact> add(const std::filesystem::path& built, Duration build_time, const ChangeSet& changes,
                         std::string git_revision);
    void mark(std::string_view id, ArtifactOutcome outcome, std::string reason = {});

    const Artifact* find(std::string_view id) const;
    // The newest good artifact other than `except` (rollback target).
    const Artifact* last_good(std::string_view except = {}) const;
    const std::vector<Artifact>& all() const { return artifacts_; }
    const std::filesystem::path& dir() const { return dir_; }

    // Deletes the oldest artifacts beyond `keep`, never one named in `in_use` nor the last good one.
    void prune(const std::vector<std::string>& in_use);

private:
    Result<void> save_index() const;

    std::filesystem::path dir_;
    size_t keep_ = 5;
    int next_seq_ = 1;
    std::vector<Artifact> artifacts_;  // oldest first
};

// The git revision of `dir` (HEAD plus "-dirty"), read from .git without running git. Empty when none.
std::string git_revision_of(const std::filesystem::path& dir);

}  // namespace hotswap
