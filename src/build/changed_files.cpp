#include "build/changed_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/core.h>

#include "core/file_descriptor.hpp"

namespace hotswap {

namespace {
// Rewrites `path` in place: the same inode every build. A new file per build (temp file + rename) made
// ext4 allocate an inode and free one each time, and allocation walks the inode table past every
// recently freed inode: on a busy disk that was most of hotswap's own CPU per reload, taken from the
// serving version. In place is safe here: only the build reads these files, and the next build starts
// after they are written, once the previous build (its whole process group) is gone.
Result<void> write_in_place(const std::filesystem::path& path, std::string_view content) {
    FileDescriptor fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd) return Error::from_errno("open", path.string(), errno);
    off_t offset = 0;
    while (offset < off_t(content.size())) {
        ssize_t n = ::pwrite(fd.get(), content.data() + offset, content.size() - size_t(offset), offset);
        if (n < 0) {
            if (errno == EINTR) continue;
            return Error::from_errno("write", path.string(), errno);
        }
        offset += n;
    }
    // Cut what a longer list of an earlier build left after the end.
    if (::ftruncate(fd.get(), offset) != 0) return Error::from_errno("ftruncate", path.string(), errno);
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
    HS_TRY_VOID(write_in_place(list, lines));
    HS_TRY_VOID(write_in_place(list0, nul_separated));
    return std::vector<std::string>{fmt::format("HOTSWAP_CHANGED={}", list.string()),
                                    fmt::format("HOTSWAP_CHANGED0={}", list0.string())};
}

}  // namespace hotswap
