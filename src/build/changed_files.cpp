#include "build/changed_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/core.h>

#include "core/file_descriptor.hpp"

namespace hotswap {

namespace {
Result<void> write_atomically(const std::filesystem::path& path, std::string_view content) {
    std::string tmp = path.string() + ".tmp";
    FileDescriptor fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd) return Error::from_errno("open", tmp, errno);
    while (!content.empty()) {
        ssize_t n = ::write(fd.get(), content.data(), content.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return Error::from_errno("write", tmp, errno);
        }
        content.remove_prefix(size_t(n));
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) return Error::from_errno("rename", path.string(), errno);
    return {};
}
}  // namespace

Result<std::vector<std::string>> write_changed_files(const std::filesystem::path& dir, const ChangeSet& changes) {
    std::string lines, nul_separated;
    for (const auto& c : changes.changes) {
        lines += c.path;
        lines += '\n';
        nul_separated += c.path;
        nul_separated += '\0';
    }
    auto list = dir / "changed";
    auto list0 = dir / "changed0";
    HS_TRY_VOID(write_atomically(list, lines));
    HS_TRY_VOID(write_atomically(list0, nul_separated));
    return std::vector<std::string>{fmt::format("HOTSWAP_CHANGED={}", list.string()),
                                    fmt::format("HOTSWAP_CHANGED0={}", list0.string())};
}

}  // namespace hotswap
