#pragma once
// TempDir: a fresh directory for one test, removed with everything in it when the test ends.

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace hotswap::testing {

class TempDir {
public:
    // `prefix` names the directory after the test that made it, for whoever finds one left behind.
    explicit TempDir(std::string_view prefix = "hotswap-test") {
        std::string templ = (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
        if (::mkdtemp(templ.data())) path_ = templ;
    }
    ~TempDir() {
        std::error_code ec;
        if (!path_.empty()) std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    // A name inside the directory, as a string for the APIs that take one.
    std::string file(std::string_view name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

}  // namespace hotswap::testing
