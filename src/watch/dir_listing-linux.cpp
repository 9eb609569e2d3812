#include "watch/dir_listing.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hotswap {

namespace {

constexpr size_t kChunk = 32 * 1024;  // one getdents64 call holds ~1,000 typical entries

EntryType from_mode(mode_t mode) {
    if (S_ISDIR(mode)) return EntryType::Directory;
    if (S_ISREG(mode)) return EntryType::File;
    if (S_ISLNK(mode)) return EntryType::Symlink;
    return EntryType::Other;
}

EntryType from_d_type(int dir_fd, const char* name, unsigned char d_type) {
    switch (d_type) {
        case DT_DIR: return EntryType::Directory;
        case DT_REG: return EntryType::File;
        case DT_LNK: return EntryType::Symlink;
        case DT_UNKNOWN: {  // a filesystem that does not fill d_type (some network and FUSE ones)
            struct stat st;
            if (::fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return EntryType::Other;
            return from_mode(st.st_mode);
        }
        default: return EntryType::Other;
    }
}

}  // namespace

Result<void> DirListing::read(const std::string& path, bool follow) {
    entries_.clear();
    int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY | (follow ? 0 : O_NOFOLLOW);
    fd_.reset(::open(path.c_str(), flags));
    if (!fd_) {
        int err = errno == ELOOP ? ENOTDIR : errno;  // a symlink where a directory was
        return Error::from_errno("open", path, err);
    }
    // Fill the buffer first, parse second: entries point into it, so it must not move while parsing.
    size_t used = 0;
    for (;;) {
        if (buffer_.size() - used < kChunk) buffer_.resize(used + kChunk);
        ssize_t n = ::getdents64(fd_.get(), buffer_.data() + used, buffer_.size() - used);
        if (n < 0) {
            if (errno == EINTR) continue;
            return Error::from_errno("getdents64", path, errno);
        }
        if (n == 0) break;
        used += size_t(n);
    }
    for (size_t offset = 0; offset < used;) {
        auto* d = reinterpret_cast<const dirent64*>(buffer_.data() + offset);
        offset += d->d_reclen;
        const char* name = d->d_name;
        if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
        entries_.push_back(Entry{std::string_view(name), from_d_type(fd_.get(), name, d->d_type)});
    }
    return {};
}

bool DirListing::contains(std::string_view name) const {
    for (const auto& e : entries_)
        if (e.name == name) return true;
    return false;
}

void DirListing::trim() {
    if (buffer_.capacity() > 4 * kChunk) {
        std::vector<char>().swap(buffer_);
        std::vector<Entry>().swap(entries_);
    }
}

}  // namespace hotswap
