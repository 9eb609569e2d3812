#include "supervise/artifact_intake.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include <fmt/core.h>

#include "artifact/elf_extent.hpp"
#include "artifact/file_hash.hpp"
#include "core/file_descriptor.hpp"
#include "proc/program_path.hpp"
#include "supervise/artifact_command.hpp"
#include "ui/console.hpp"

namespace hotswap {

namespace fs = std::filesystem;

namespace {

// A path that reopens the very file `fd` holds (so what was checked is what gets copied), when /proc is
// there to offer one.
fs::path same_file_path(int fd, const fs::path& fallback) {
    fs::path via = fmt::format("/proc/self/fd/{}", fd);
    struct stat a{}, b{};
    if (::stat(via.c_str(), &a) == 0 && ::fstat(fd, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev) return via;
    return fallback;
}

// The file is whole: an ELF binary as long as its headers say (a script cannot tell, and is taken).
Result<void> check_whole(int fd, std::string_view shown) {
    auto extent = elf_extent(fd);
    if (!extent) return Error::message(fmt::format("refusing to run {}: {}", shown, extent.error().to_string()));
    if (*extent && !(*extent)->complete())
        return Error::message(fmt::format("{} is incomplete ({} of {} bytes): it is still being written, and is taken "
                                          "once it is whole",
                                          shown, (*extent)->size, (*extent)->needed));
    return {};
}

fs::path run_cwd(const Config& config) {
    return config.cwd.empty() ? config.root : (config.root / config.cwd).lexically_normal();
}

}  // namespace

ArtifactIntake::ArtifactIntake(const Config& config) : config_(config) {}

Result<void> ArtifactIntake::open(const fs::path& state_dir) {
    HS_TRY_VOID(resolve_source());
    HS_TRY_VOID(load_verify_key());
    if (source_.empty()) return {};
    auto store = ArtifactStore::open(state_dir / "artifacts", config_.artifacts_keep);
    if (!store) return store.error().with_context("--artifact");
    store_.emplace(std::move(*store));
    return {};
}

Result<void> ArtifactIntake::resolve_source() {
    if (!config_.artifact.empty()) {
        as_written_ = config_.artifact;
        source_ = (config_.root / config_.artifact).lexically_normal();
        return {};
    }
    if (config_.verb != Verb::Serve) return {};
    // Without --artifact, serve upgrades the program the command runs, found as exec would find it.
    const char* search = std::getenv("PATH");
    auto program = find_program(config_.command.front(), run_cwd(config_), search ? search : kDefaultSearchPath);
    if (!program)
        return Error::message(fmt::format("cannot find the program {} to serve: give its path, or name the binary to "
                                          "upgrade with --artifact PATH",
                                          config_.command.front()));
    as_written_ = config_.command.front();
    source_ = *program;
    return {};
}

Result<void> ArtifactIntake::load_verify_key() {
    if (config_.verify_key.empty()) return {};
    HS_TRY(key, load_minisign_key(config_.verify_key, config_.root));
    verify_key_ = key;
    Console::get().info(fmt::format("binaries must be signed by minisign key {} (BINARY.minisig)", format_key_id(key.key_id)),
                        Tone::Dim);
    return {};
}

std::string ArtifactIntake::shown() const {
    if (as_written_.find('/') != std::string::npos) return as_written_;
    return source_.string();
}

std::optional<ArtifactIntake::Skip> ArtifactIntake::skip_replaced() const {
    const std::string name = shown();
    // Only a whole new file starts an upgrade: a removal, a file still being written or the same bytes
    // again (a chmod, a touch, a signature for the binary already taken) do not.
    FileDescriptor fd(::open(source_.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return Skip{fmt::format("{} is gone", name), true, false};
    if (auto whole = check_whole(fd.get(), name); !whole) return Skip{whole.error().to_string(), false, false};
    if (auto sha = sha256_file(same_file_path(fd.get(), source_)); sha && *sha == last_taken_sha256_)
        return Skip{fmt::format("{} changed, but holds the binary taken last: nothing to do", name), false, true};
    return std::nullopt;
}

Result<Artifact> ArtifactIntake::take(Duration build_time, const ChangeSet& changes) {
    if (!checks_binaries()) return store_->add(source_, build_time, changes, git_revision_of(config_.root));
    return take_checked(build_time, changes);
}

Result<Artifact> ArtifactIntake::take_checked(Duration build_time, const ChangeSet& changes) {
    const bool serve = config_.verb == Verb::Serve;
    const std::string name = shown();
    // 1. The file as it is now, opened once: every check below is about this one file.
    FileDescriptor fd(::open(source_.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT && serve)
            return Error::message(fmt::format("{} does not exist: put the new binary there, then reload", name));
        if (errno == ENOENT)
            return Error::message(fmt::format("the build succeeded but produced no {}: check the build command or "
                                              "--artifact",
                                              name));
        return Error::from_errno("open", name, errno);
    }
    struct stat opened{};
    if (::fstat(fd.get(), &opened) != 0) return Error::from_errno("fstat", name, errno);
    if (!S_ISREG(opened.st_mode)) return Error::message(fmt::format("refusing to run {}: it is not a regular file", name));
    if ((opened.st_mode & S_IXUSR) == 0)
        return Error::message(fmt::format("refusing to run {}: it is not executable; fix it with: chmod u+x {}", name, name));
    // 2. Whole: a binary still being written in place is never started.
    HS_TRY_VOID(check_whole(fd.get(), name));
    // 3. Nobody but its owner (us or root) could have put it there.
    HS_TRY_VOID(check_binary_safe(source_));
    struct stat now{};
    if (::stat(source_.c_str(), &now) != 0 || now.st_ino != opened.st_ino || now.st_dev != opened.st_dev)
        return Error::message(fmt::format("{} was replaced while it was being checked: the new file is taken next", name));
    // 4. Into the store, copied from that very file; bytes the store already holds are not copied again.
    const fs::path same = same_file_path(fd.get(), source_);
    HS_TRY(sha, sha256_file(same));
    Artifact artifact;
    bool added = false;
    std::error_code ec;
    const auto& kept = store_->all();
    auto found = std::find_if(kept.rbegin(), kept.rend(), [&](const Artifact& a) { return a.sha256 == sha && fs::exists(a.path, ec); });
    if (found != kept.rend()) {
        artifact = *found;
    } else {
        ChangeSet recorded = changes;
        if (recorded.empty()) recorded.changes.push_back(Change{source_.string(), ChangeKind::Modified});
        HS_TRY(copy, store_->add(same, build_time, recorded, serve ? std::string() : git_revision_of(config_.root)));
        artifact = copy;
        added = true;
    }
    // 5. Signed by the trusted key: checked on the copy, whose bytes are the ones that run.
    if (verify_key_) {
        FileDescriptor copy(::open(artifact.path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!copy) return Error::from_errno("open", artifact.path.string(), errno);
        auto verified = verify_deployed_signature(copy.get(), source_, name, *verify_key_);
        if (!verified) {
            if (added) store_->mark(artifact.id, ArtifactOutcome::Bad, verified.error().to_string());
            return verified.error();
        }
        Console::get().info(fmt::format("{}: signature verified (trusted comment: {})", name, *verified), Tone::Dim);
    }
    last_taken_sha256_ = sha;
    return artifact;
}

void ArtifactIntake::prune(const std::vector<std::string>& in_use) {
    if (store_) store_->prune(in_use);
}

std::vector<std::string> ArtifactIntake::command_for(const LaunchTarget& target, const fs::path& cwd) {
    if (target.artifact_path.empty()) return config_.command;
    auto command = command_for_artifact(config_.command, as_written_, source_, cwd, target.artifact_path);
    if (!command.replaced && !warned_not_in_command_) {
        warned_not_in_command_ = true;
        Console::get().warn(fmt::format(
            "--artifact {} does not appear in the command, which therefore runs the build output itself; "
            "name it in the command, or run \"$HOTSWAP_ARTIFACT\" (the kept copy) from a shell command",
            as_written_));
    }
    return std::move(command.argv);
}

void ArtifactIntake::mark(const Generation& g, ArtifactOutcome outcome, std::string reason) {
    if (!store_ || g.launch.artifact_id.empty()) return;
    const Artifact* a = store_->find(g.launch.artifact_id);
    if (!a || a->outcome == outcome) return;
    // A build that once served well stays good when a restart or rollback of it fails: that failure
    // says more about the moment (a port, a disk, a dependency) than about the build.
    bool fresh = g.launch.reason == LaunchReason::Build || g.launch.reason == LaunchReason::Reload;
    if (a->outcome == ArtifactOutcome::Good && outcome == ArtifactOutcome::Bad && !fresh) return;
    store_->mark(g.launch.artifact_id, outcome, std::move(reason));
}

std::optional<LaunchTarget> ArtifactIntake::rollback_target(std::string_view except_id) const {
    const Artifact* good = last_good(except_id);
    if (!good) return std::nullopt;
    LaunchTarget target;
    target.artifact_id = good->id;
    target.artifact_path = good->path;
    target.reason = LaunchReason::Rollback;
    return target;
}

Result<LaunchTarget> ArtifactIntake::requested_rollback(std::string_view id, std::string_view serving_id) const {
    if (!kept()) return Error::message("builds are not kept; start hotswap with --artifact PATH to roll back");
    const Artifact* target = id.empty() ? last_good(serving_id) : find(id);
    if (!target && id.empty()) return Error::message("there is no earlier good build to go back to (see hotswap history)");
    if (!target) return Error::message(fmt::format("no build {} is kept (see hotswap history)", id));
    LaunchTarget launch;
    launch.artifact_id = target->id;
    launch.artifact_path = target->path;
    launch.reason = LaunchReason::RequestedRollback;
    return launch;
}

nlohmann::json ArtifactIntake::history_json(const std::vector<std::pair<int, std::string>>& running) const {
    nlohmann::json out = nlohmann::json::array();
    if (!store_) return out;
    for (const auto& a : store_->all()) {
        nlohmann::json generations = nlohmann::json::array();
        for (const auto& [id, artifact_id] : running)
            if (artifact_id == a.id) generations.push_back(id);
        out.push_back({{"id", a.id},
                       {"seq", a.seq},
                       {"outcome", to_string(a.outcome)},
                       {"reason", a.reason},
                       {"created_unix_ms", a.created_unix_ms},
                       {"build_ms", a.build_ms},
                       {"git_revision", a.git_revision},
                       {"changed", a.changed},
                       {"generations", generations}});
    }
    return out;
}

}  // namespace hotswap
