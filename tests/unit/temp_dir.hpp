#pragma once
// TempDir: a fresh directory for one test, removed with everything in it when the test ends.

#include <stdlib.h>

#include <cerrno>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace hotswap::testing {

class TempDir {
public:
    // `prefix` names the directory after the test that made it, for whoever finds one left behind.
    // Throws if the directory cannot be made, so that no test runs in a directory it does not own.
    explicit TempDir(std::string_view prefix = "hotswap-test") {
        std::string templ = (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
        if (!::mkdtemp(templ.data())) throw std::system_error(errno, std::generic_category(), "mkdtemp " + templ);
        path_ = templ;
    }
    ~TempDir() {
        namespace fs = std::filesystem;
        // Directories a test made unreadable or read-only are opened up again, each before the walk enters
        // it, so that everything in them can be removed. A directory that cannot be opened up is left to
        // remove_all, which removes what it can.
        std::error_code ec, ignored;
        open_up(path_);
        for (auto it = fs::recursive_directory_iterator(path_, fs::directory_options::skip_permission_denied, ec);
             !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
            if (it->symlink_status(ignored).type() == fs::file_type::directory) open_up(it->path());
        fs::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    // A name inside the directory, as a string for the APIs that take one.
    std::string file(std::string_view name) const { return (path_ / name).string(); }

private:
    static void open_up(const std::filesystem::path& dir) {
        std::error_code ignored;
        std::filesystem::permissions(dir, std::filesystem::perms::owner_all, std::filesystem::perm_options::add,
                                     ignored);
    }

    std::filesystem::path path_;
};

}  // namespace hotswap::testing
