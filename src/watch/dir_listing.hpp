#pragma once
// DirListing: the names and types of one directory's entries, read in a few getdents64 calls into one
// reusable buffer. No stat per entry: the type comes from d_type, which every common Linux filesystem
// fills; entries of unknown type are resolved with one fstatat each.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/file_descriptor.hpp"
#include "core/result.hpp"

namespace hotswap {

enum class EntryType : uint8_t { Directory, File, Symlink, Other };

class DirListing {
public:
    struct Entry {
        std::string_view name;  // NUL-terminated in the buffer; never "." or ".."
        EntryType type;
    };

    // Reads every entry of `path`. `follow` lets the path itself be a symlink to a directory (roots
    // only: below a root, symlinks are never followed, as git does not follow them either).
    // Errors keep errno: ENOENT/ENOTDIR (gone or replaced), EACCES (unreadable).
    Result<void> read(const std::string& path, bool follow);

    const std::vector<Entry>& entries() const { return entries_; }
    bool contains(std::string_view name) const;
    // The directory stays open until the next read() or close(), for fstatat() relative to it.
    int fd() const { return fd_.get(); }
    void close() { fd_.reset(); }
    // Gives back the buffer memory after a huge directory.
    void trim();

private:
    FileDescriptor fd_;
    std::vector<char> buffer_;
    std::vector<Entry> entries_;
};

}  // namespace hotswap
