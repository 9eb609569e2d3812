#pragma once
// ArtifactIntake: which file is the build's output (--artifact; serve: the program the command runs), the
// key binaries must be signed with, and the store (DESIGN.md §2, artifact/): one path for run and serve
// from "a build finished" or "the binary was replaced" to the read-only copy a generation runs. Binaries are
// checked before they run (owner, permissions, whole, signature) in serve mode, and in run mode with
// --verify-key. It also keeps what the store knows of outcomes: good, bad, the rollback target.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "artifact/artifact_store.hpp"
#include "artifact/binary_check.hpp"
#include "config/config.hpp"
#include "core/duration.hpp"
#include "core/result.hpp"
#include "supervise/generation.hpp"

namespace hotswap {

class ArtifactIntake {
public:
    explicit ArtifactIntake(const Config& config);

    // The artifact's file, the verify key, then the store under `state_dir`; nothing when there is no artifact.
    Result<void> open(const std::filesystem::path& state_dir);

    bool kept() const { return store_.has_value(); }  // builds are kept in the store
    const std::filesystem::path& source() const { return source_; }
    // As the user wrote it when that names a path, else the file it resolved to.
    std::string shown() const;
    bool verifies_signatures() const { return verify_key_.has_value(); }

    // serve: is the replaced file a new binary to take? nullopt when it is; otherwise why not, for the user
    // (`gone` is set when there is no file at all).
    struct Skip {
        std::string why;
        bool gone = false;
        bool quiet = false;  // the same bytes again: only worth a debug line
    };
    std::optional<Skip> skip_replaced() const;

    // The build's output (or serve's binary) into the store, checked when binaries are checked.
    Result<Artifact> take(Duration build_time, const ChangeSet& changes);
    // Only the builds still in use, and the newest ones, stay.
    void prune(const std::vector<std::string>& in_use);

    // The command of a generation that runs `target`: the element naming the artifact becomes its copy.
    std::vector<std::string> command_for(const LaunchTarget& target, const std::filesystem::path& cwd);

    void mark(const Generation& g, ArtifactOutcome outcome, std::string reason = {});
    // The last good artifact other than `except_id`, as an automatic rollback's target.
    std::optional<LaunchTarget> rollback_target(std::string_view except_id) const;
    // `hotswap rollback [ID]`: build `id`, or (empty) the last good one before `serving_id`; the error
    // says why there is none to go back to.
    Result<LaunchTarget> requested_rollback(std::string_view id, std::string_view serving_id) const;
    const Artifact* find(std::string_view id) const { return store_ ? store_->find(id) : nullptr; }
    const Artifact* last_good(std::string_view except_id) const { return store_ ? store_->last_good(except_id) : nullptr; }
    // Every kept artifact with its outcome and the generations that run it, newest last.
    nlohmann::json history_json(const std::vector<std::pair<int, std::string>>& running) const;

private:
    bool checks_binaries() const { return config_.verb == Verb::Serve || verify_key_.has_value(); }
    Result<void> resolve_source();
    Result<void> load_verify_key();
    Result<Artifact> take_checked(Duration build_time, const ChangeSet& changes);

    const Config& config_;
    std::optional<ArtifactStore> store_;  // set with --artifact, and always in serve mode
    // The binary the command runs, as the command names it and as a file ("" / empty: no artifact).
    std::string as_written_;
    std::filesystem::path source_;
    std::optional<MinisignPublicKey> verify_key_;
    std::string last_taken_sha256_;  // serve: the artifact last taken, so an unchanged file is not taken twice
    bool warned_not_in_command_ = false;
};

}  // namespace hotswap
