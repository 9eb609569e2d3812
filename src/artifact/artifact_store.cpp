#include "artifact/artifact_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "artifact/file_hash.hpp"
#include "core/file_descriptor.hpp"

namespace hotswap {

namespace fs = std::filesystem;

const char* to_string(ArtifactOutcome outcome) {
    switch (outcome) {
        case ArtifactOutcome::Untried: return "untried";
        case ArtifactOutcome::Good: return "good";
        case ArtifactOutcome::Bad: return "bad";
    }
    return "unknown";
}

namespace {

ArtifactOutcome outcome_from(std::string_view s) {
    if (s == "good") return ArtifactOutcome::Good;
    if (s == "bad") return ArtifactOutcome::Bad;
    return ArtifactOutcome::Untried;
}

Result<void> copy_file_contents(const fs::path& from, const fs::path& to, mode_t mode) {
    FileDescriptor in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
    if (!in) return Error::from_errno("open", from.string(), errno);
    FileDescriptor out(::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!out) return Error::from_errno("open", to.string(), errno);
    char buf[1 << 16];
    for (;;) {
        ssize_t n = ::read(in.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            return Error::from_errno("read", from.string(), errno);
        }
        if (n == 0) break;
        for (ssize_t done = 0; done < n;) {
            ssize_t w = ::write(out.get(), buf + done, size_t(n - done));
            if (w < 0) {
                if (errno == EINTR) continue;
                return Error::from_errno("write", to.string(), errno);
            }
            done += w;
        }
    }
    if (::fchmod(out.get(), mode) != 0) return Error::from_errno("fchmod", to.string(), errno);
    if (::fsync(out.get()) != 0) return Error::from_errno("fsync", to.string(), errno);
    return {};
}

std::string read_first_line(const fs::path& p) {
    std::ifstream in(p);
    std::string line;
    std::getline(in, line);
    return line;
}

}  // namespace

std::string git_revision_of(const fs::path& dir) {
    std::error_code ec;
    for (fs::path d = fs::absolute(dir, ec); !d.empty(); d = d.parent_path()) {
        fs::path git = d / ".git";
        if (fs::is_directory(git, ec)) {
            std::string head = read_first_line(git / "HEAD");
            if (head.starts_with("ref: ")) {
                std::string ref = head.substr(5);
                std::string rev = read_first_line(git / ref);
                if (rev.empty()) {  // packed refs
                    std::ifstream packed(git / "packed-refs");
                    std::string line;
                    while (std::getline(packed, line))
                        if (line.size() > 41 && line.substr(41) == ref) rev = line.substr(0, 40);
                }
                return rev.substr(0, 12);
            }
            return head.substr(0, 12);
        }
        if (d == d.parent_path()) break;
    }
    return {};
}

Result<ArtifactStore> ArtifactStore::open(fs::path dir, size_t keep) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return Error::message(fmt::format("cannot create {}: {}", dir.string(), ec.message()));
    ArtifactStore store;
    store.dir_ = std::move(dir);
    store.keep_ = keep < 1 ? 1 : keep;
    std::ifstream in(store.dir_ / "index.json");
    if (in) {
        std::stringstream text;
        text << in.rdbuf();
        auto json = nlohmann::json::parse(text.str(), nullptr, false);
        if (json.is_object() && json["artifacts"].is_array()) {
            for (const auto& a : json["artifacts"]) {
                if (!a.is_object()) continue;
                Artifact art;
                art.seq = a.value("seq", 0);
                art.id = a.value("id", "");
                art.path = store.dir_ / art.id;
                art.sha256 = a.value("sha256", "");
                art.created_unix_ms = a.value("created_unix_ms", int64_t(0));
                art.build_ms = a.value("build_ms", int64_t(0));
                art.git_revision = a.value("git_revision", "");
                art.outcome = outcome_from(a.value("outcome", "untried"));
                art.reason = a.value("reason", "");
                if (a.contains("changed") && a["changed"].is_array())
                    for (const auto& c : a["changed"])
                        if (c.is_string()) art.changed.push_back(c.get<std::string>());
                if (art.id.empty() || !fs::exists(art.path, ec)) continue;  // pruned or removed by hand
                store.next_seq_ = std::max(store.next_seq_, art.seq + 1);
                store.artifacts_.push_back(std::move(art));
            }
        }
    }
    return store;
}

Result<Artifact> ArtifactStore::add(const fs::path& built, Duration build_time, const ChangeSet& changes,
                                    std::string git_revision) {
    struct stat st;
    if (::stat(built.c_str(), &st) != 0)
        return Error::message(fmt::format("the build succeeded but produced no {}: check the build command or "
                                          "--artifact", built.string()));
    if (!S_ISREG(st.st_mode) || (st.st_mode & S_IXUSR) == 0)
        return Error::message(fmt::format(
            "the build output {} is not an executable file: make the build produce one, or point --artifact at it",
            built.string()));
    HS_TRY(hash, sha256_file(built));
    Artifact a;
    a.seq = next_seq_++;
    a.id = fmt::format("{}-{}", a.seq, hash.substr(0, 12));
    a.path = dir_ / a.id;
    a.sha256 = hash;
    a.created_unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
    a.build_ms = build_time.count();
    for (const auto& c : changes.changes) a.changed.push_back(c.path);
    a.git_revision = std::move(git_revision);
    std::error_code ec;
    fs::remove(a.path, ec);
    // Read-only and executable by the owner only: nothing may modify a binary a generation runs.
    HS_TRY_VOID(copy_file_contents(built, a.path, 0500));
    artifacts_.push_back(a);
    if (auto r = save_index(); !r) return r.take_error();
    return a;
}

void ArtifactStore::mark(std::string_view id, ArtifactOutcome outcome, std::string reason) {
    for (auto& a : artifacts_)
        if (a.id == id) {
            a.outcome = outcome;
            a.reason = std::move(reason);
        }
    (void)save_index();
}

const Artifact* ArtifactStore::find(std::string_view id) const {
    for (const auto& a : artifacts_)
        if (a.id == id) return &a;
    return nullptr;
}

const Artifact* ArtifactStore::last_good(std::string_view except) const {
    for (auto it = artifacts_.rbegin(); it != artifacts_.rend(); ++it)
        if (it->outcome == ArtifactOutcome::Good && it->id != except) return &*it;
    return nullptr;
}

void ArtifactStore::prune(const std::vector<std::string>& in_use) {
    const Artifact* good = last_good();
    std::string good_id = good ? good->id : "";
    std::error_code ec;
    size_t excess = artifacts_.size() > keep_ ? artifacts_.size() - keep_ : 0;
    for (auto it = artifacts_.begin(); it != artifacts_.end() && excess > 0;) {
        bool used = it->id == good_id || std::find(in_use.begin(), in_use.end(), it->id) != in_use.end();
        if (used) {
            ++it;
            continue;
        }
        fs::remove(it->path, ec);
        it = artifacts_.erase(it);
        --excess;
    }
    (void)save_index();
}

Result<void> ArtifactStore::save_index() const {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& a : artifacts_) {
        list.push_back({{"seq", a.seq},
                        {"id", a.id},
                        {"sha256", a.sha256},
                        {"created_unix_ms", a.created_unix_ms},
                        {"build_ms", a.build_ms},
                        {"changed", a.changed},
                        {"git_revision", a.git_revision},
                        {"outcome", to_string(a.outcome)},
                        {"reason", a.reason}});
    }
    std::string text = nlohmann::json{{"artifacts", list}}.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    fs::path tmp = dir_ / "index.json.tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << text << '\n';
        if (!out) return Error::message(fmt::format("cannot write {}", tmp.string()));
    }
    std::error_code ec;
    fs::rename(tmp, dir_ / "index.json", ec);
    if (ec) return Error::message(fmt::format("cannot write {}: {}", (dir_ / "index.json").string(), ec.message()));
    return {};
}

}  // namespace hotswap
