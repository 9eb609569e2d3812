#include "control/socket_path.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <fmt/core.h>

namespace hotswap {

namespace fs = std::filesystem;

namespace {

// FNV-1a: a stable name for a path (std::hash may differ between builds).
uint64_t fnv1a(std::string_view s) {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

const char* env_or_null(const char* name) {
    const char* value = std::getenv(name);
    return value && *value ? value : nullptr;
}

fs::path private_dir_location() {
    if (const char* runtime = env_or_null("XDG_RUNTIME_DIR")) return fs::path(runtime) / "hotswap";
    const char* tmp = env_or_null("TMPDIR");
    return fs::path(tmp ? tmp : P_tmpdir) / fmt::format("hotswap-{}", ::geteuid());
}

Result<fs::path> private_dir(bool create) {
    fs::path dir = private_dir_location();
    if (create && ::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return Error::from_errno("mkdir", dir.string(), errno);
    struct stat st;
    if (::lstat(dir.c_str(), &st) != 0) return Error::from_errno("stat", dir.string(), errno);
    // In a shared /tmp someone else could have made it first: refuse a directory we do not own or that
    // others can enter, since whoever controls it could put a fake supervisor there.
    if (!S_ISDIR(st.st_mode) || st.st_uid != ::geteuid() || (st.st_mode & 0077) != 0)
        return Error::message(fmt::format("{} is not a private directory of this user (owner only, mode 0700): "
                                          "remove it and try again",
                                          dir.string()));
    return dir;
}

}  // namespace

Result<fs::path> control_socket_path(const fs::path& root, bool create) {
    if (const char* explicit_path = env_or_null("HOTSWAP_CONTROL_SOCKET")) return fs::path(explicit_path);
    HS_TRY(dir, private_dir(create));
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(root, ec);
    return dir / fmt::format("{:016x}.sock", fnv1a((ec ? root : canonical).string()));
}

std::optional<fs::path> find_control_socket(const fs::path& start) {
    if (const char* explicit_path = env_or_null("HOTSWAP_CONTROL_SOCKET")) return fs::path(explicit_path);
    std::error_code ec;
    for (fs::path d = fs::weakly_canonical(start, ec); !d.empty(); d = d.parent_path()) {
        auto path = control_socket_path(d, false);
        if (!path) return std::nullopt;  // no private directory: nobody of this user is running
        if (fs::exists(*path, ec)) return *path;
        if (d == d.parent_path()) break;
    }
    return std::nullopt;
}

}  // namespace hotswap
