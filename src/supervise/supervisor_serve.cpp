// `hotswap serve` (DESIGN.md §1, §8): the same engine without source watching and without builder. The
// artifact (--artifact, or else the program the command runs) is watched; once it is replaced (renamed
// into place, or written in place and settled) and whole, it is taken like a build's output: checked,
// copied into the store, swapped in on the same sockets with readiness, probation and rollback. SIGHUP and
// `hotswap reload` take it as it is now.
//
// Every binary is checked before it runs, in serve mode and in run mode with --verify-key: a file still
// being written is not started; one that group or others may write (or that belongs to another user) is
// refused; with --verify-key, BINARY.minisig must be a valid signature of the bytes that will run.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include <fmt/core.h>

#include "artifact/file_hash.hpp"
#include "core/file_descriptor.hpp"
#include "supervise/artifact_command.hpp"
#include "supervise/elf_extent.hpp"
#include "supervise/supervisor.hpp"
#include "ui/console.hpp"

namespace hotswap {

namespace fs = std::filesystem;

namespace {

// A replaced artifact is taken once no change came for this long (or --debounce, when longer): a deploy
// may copy the binary in many writes, then put its signature next to it.
constexpr Duration kServeSettle{500};
// Key and signature files are a few hundred bytes; anything much larger is not one.
constexpr size_t kMaxSmallFile = 64 * 1024;

Result<std::string> read_small_file(const fs::path& path) {
    FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return Error::from_errno("open", path.string(), errno);
    std::string text;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return Error::from_errno("read", path.string(), errno);
        if (n == 0) return text;
        text.append(buf, size_t(n));
        if (text.size() > kMaxSmallFile) return Error::message(fmt::format("{} is too large to be a key or a signature", path.string()));
    }
}

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

// BINARY.minisig (next to the file that was deployed) must sign `copy`, the bytes that will run.
Result<std::string> verify_signature(const fs::path& copy, const fs::path& source, std::string_view shown,
                                     const MinisignPublicKey& key) {
    fs::path sig_path = source;
    sig_path += ".minisig";
    std::error_code ec;
    if (!fs::exists(sig_path, ec))
        return Error::message(fmt::format("refusing to run {}: --verify-key needs its signature in {} (minisign -S -m {})",
                                          shown, sig_path.string(), shown));
    auto text = read_small_file(sig_path);
    if (!text) return Error::message(fmt::format("refusing to run {}: {}", shown, text.error().to_string()));
    auto signature = parse_minisign_signature(*text);
    if (!signature)
        return Error::message(fmt::format("refusing to run {}: {}: {}", shown, sig_path.string(), signature.error().to_string()));
    FileDescriptor fd(::open(copy.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return Error::from_errno("open", copy.string(), errno);
    auto verified = verify_minisign(fd.get(), *signature, key);
    if (!verified)
        return Error::message(fmt::format("refusing to run {}: {} ({})", shown, verified.error().to_string(), sig_path.string()));
    return *verified;
}

}  // namespace

Result<void> Supervisor::resolve_artifact_source() {
    if (!config_.artifact.empty()) {
        artifact_as_written_ = config_.artifact;
        artifact_source_ = (config_.root / config_.artifact).lexically_normal();
        return {};
    }
    if (!serve_mode()) return {};
    // Without --artifact, serve upgrades the program the command runs, found as exec would find it.
    const char* search = std::getenv("PATH");
    auto program = program_file(config_.command.front(), run_cwd(), search ? search : "/usr/local/bin:/usr/bin:/bin");
    if (!program)
        return Error::message(fmt::format("cannot find the program {} to serve: give its path, or name the binary to "
                                          "upgrade with --artifact PATH",
                                          config_.command.front()));
    artifact_as_written_ = config_.command.front();
    artifact_source_ = *program;
    return {};
}

Result<void> Supervisor::load_verify_key() {
    if (config_.verify_key.empty()) return {};
    // A key file when one exists at that path (relative to the project), else the base64 key itself.
    fs::path file = config_.verify_key;
    if (file.is_relative()) file = config_.root / file;
    std::error_code ec;
    const bool is_file = fs::is_regular_file(file, ec);
    std::string text = config_.verify_key;
    if (is_file) {
        auto read = read_small_file(file);
        if (!read) return read.error().with_context("--verify-key");
        text = *read;
    }
    auto key = parse_minisign_public_key(text);
    // Neither a key file nor a key: most likely a path with a typo.
    if (!key && !is_file && (config_.verify_key.find('/') != std::string::npos || config_.verify_key.ends_with(".pub")))
        return Error::message(fmt::format("--verify-key: there is no key file {}: give a minisign public key file, or "
                                          "the key's base64 line",
                                          file.string()));
    if (!key) return key.error().with_context("--verify-key");
    verify_key_ = *key;
    Console::get().info(fmt::format("binaries must be signed by minisign key {} (BINARY.minisig)", format_key_id(key->key_id)),
                        Tone::Dim);
    return {};
}

Result<void> Supervisor::watch_artifact() {
    WatchOptions options;
    options.roots = {artifact_source_.string()};
    // The signature too: a deploy may put it in place after the binary, and that must be seen.
    fs::path signature = artifact_source_;
    signature += ".minisig";
    std::error_code ec;
    if (verify_key_ && fs::exists(signature, ec)) options.roots.push_back(signature.string());
    options.on_warning = [](std::string_view text) { Console::get().warn(text); };
    DebounceOptions debounce;
    debounce.settle = std::max(config_.debounce, kServeSettle);
    debounce.max_wait = std::max(debounce.settle * 10, Duration(10'000));
    debounce.strategy = DebounceStrategy::Trailing;
    debouncer_ = std::make_unique<Debouncer>(loop_, debounce, [this](ChangeSet c) { on_artifact_changed(std::move(c)); });
    HS_TRY(watcher, make_watcher(loop_, options, [this](std::vector<Change> c) { debouncer_->add(std::move(c)); }));
    watcher_ = std::move(watcher);
    if (auto started = watcher_->start(); !started) return started.error().with_context("watching the artifact");
    Console::get().info(fmt::format("upgrades when {} is replaced, on SIGHUP, or on hotswap reload", artifact_shown()),
                        Tone::Dim);
    return {};
}

Result<void> Supervisor::launch_first_artifact() {
    // A binary refused now is refused for good: hotswap does not start (exit status 1).
    HS_TRY(artifact, take_artifact(Duration(0), ChangeSet{}));
    LaunchTarget target;
    target.reason = LaunchReason::Reload;
    target.artifact_id = artifact.id;
    target.artifact_path = artifact.path;
    backoff_.reset();
    reload(std::move(target));
    return {};
}

void Supervisor::on_artifact_changed(ChangeSet changes) {
    if (shutting_down_ || changes.empty()) return;
    const std::string shown = artifact_shown();
    // 1. Only a whole new file starts an upgrade: a removal, a file still being written or the same bytes
    //    again (a chmod, a touch, a signature for the binary already taken) do not.
    FileDescriptor fd(::open(artifact_source_.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        Console::get().info(fmt::format("{} is gone; {}; a new binary put there is taken", shown, still_serving_note()),
                            Tone::Dim);
        return;
    }
    if (auto whole = check_whole(fd.get(), shown); !whole) {
        Console::get().info(whole.error().to_string(), Tone::Dim);
        return;
    }
    if (auto sha = sha256_file(same_file_path(fd.get(), artifact_source_)); sha && *sha == last_taken_sha256_) {
        Console::get().debug(fmt::format("{} changed, but holds the binary taken last: nothing to do", shown));
        return;
    }
    fd.reset();
    // 2. An upgrade, exactly as a build would bring one.
    Console::get().info(fmt::format("{} changed: upgrading", shown), Tone::Dim);
    emit("change", {{"paths", changes.changes.size()}, {"first", shown}});
    reload_artifact("artifact", changes);
}

void Supervisor::reload_artifact(std::string_view trigger, const ChangeSet& changes) {
    begin_upgrade(trigger);
    reload_started_ = Clock::now();
    last_build_time_.reset();
    launch_new_build(Duration(0), changes);
}

Result<Artifact> Supervisor::take_artifact(Duration build_time, const ChangeSet& changes) {
    if (!checks_binaries()) return artifacts_->add(artifact_source_, build_time, changes, git_revision_of(config_.root));
    auto artifact = take_checked_artifact(build_time, changes);
    if (!artifact) emit("refused", {{"artifact", artifact_shown()}, {"reason", artifact.error().to_string()}});
    return artifact;
}

Result<Artifact> Supervisor::take_checked_artifact(Duration build_time, const ChangeSet& changes) {
    const std::string shown = artifact_shown();
    // 1. The file as it is now, opened once: every check below is about this one file.
    FileDescriptor fd(::open(artifact_source_.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT && serve_mode())
            return Error::message(fmt::format("{} does not exist: put the new binary there, then reload", shown));
        if (errno == ENOENT)
            return Error::message(fmt::format("the build succeeded but produced no {}: check the build command or "
                                              "--artifact",
                                              shown));
        return Error::from_errno("open", shown, errno);
    }
    struct stat opened{};
    if (::fstat(fd.get(), &opened) != 0) return Error::from_errno("fstat", shown, errno);
    if (!S_ISREG(opened.st_mode)) return Error::message(fmt::format("refusing to run {}: it is not a regular file", shown));
    if ((opened.st_mode & S_IXUSR) == 0)
        return Error::message(fmt::format("refusing to run {}: it is not executable; fix it with: chmod u+x {}", shown, shown));
    // 2. Whole: a binary still being written in place is never started.
    HS_TRY_VOID(check_whole(fd.get(), shown));
    // 3. Nobody but its owner (us or root) could have put it there.
    HS_TRY_VOID(check_binary_safe(artifact_source_));
    struct stat now{};
    if (::stat(artifact_source_.c_str(), &now) != 0 || now.st_ino != opened.st_ino || now.st_dev != opened.st_dev)
        return Error::message(fmt::format("{} was replaced while it was being checked: the new file is taken next", shown));
    // 4. Into the store, copied from that very file; bytes the store already holds are not copied again.
    const fs::path same = same_file_path(fd.get(), artifact_source_);
    HS_TRY(sha, sha256_file(same));
    Artifact artifact;
    bool added = false;
    std::error_code ec;
    const auto& kept = artifacts_->all();
    auto found = std::find_if(kept.rbegin(), kept.rend(), [&](const Artifact& a) { return a.sha256 == sha && fs::exists(a.path, ec); });
    if (found != kept.rend()) {
        artifact = *found;
    } else {
        ChangeSet recorded = changes;
        if (recorded.empty()) recorded.changes.push_back(Change{artifact_source_.string(), ChangeKind::Modified});
        HS_TRY(copy, artifacts_->add(same, build_time, recorded, serve_mode() ? std::string() : git_revision_of(config_.root)));
        artifact = copy;
        added = true;
    }
    // 5. Signed by the trusted key: checked on the copy, whose bytes are the ones that run.
    if (verify_key_) {
        auto verified = verify_signature(artifact.path, artifact_source_, shown, *verify_key_);
        if (!verified) {
            if (added) artifacts_->mark(artifact.id, ArtifactOutcome::Bad, verified.error().to_string());
            return verified.error();
        }
        Console::get().info(fmt::format("{}: signature verified (trusted comment: {})", shown, *verified), Tone::Dim);
    }
    last_taken_sha256_ = sha;
    return artifact;
}

std::string Supervisor::artifact_shown() const {
    if (artifact_as_written_.find('/') != std::string::npos) return artifact_as_written_;
    return artifact_source_.string();
}

}  // namespace hotswap
