#include "proc/program_path.hpp"

#include <unistd.h>

namespace hotswap {

namespace fs = std::filesystem;

namespace {

bool runnable(const fs::path& p) {
    std::error_code ec;
    return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

fs::path under(const fs::path& cwd, const fs::path& p) { return (p.is_absolute() ? p : cwd / p).lexically_normal(); }

}  // namespace

std::optional<fs::path> find_program(std::string_view program, const fs::path& cwd, std::string_view search_path) {
    if (program.empty()) return std::nullopt;
    if (program.find('/') != std::string_view::npos) {
        fs::path p = under(cwd, fs::path(program));
        if (runnable(p)) return p;
        return std::nullopt;
    }
    for (size_t start = 0; start <= search_path.size();) {
        size_t colon = search_path.find(':', start);
        std::string_view dir = search_path.substr(start, colon == std::string_view::npos ? colon : colon - start);
        fs::path p = under(cwd, (dir.empty() ? cwd : fs::path(dir)) / program);
        if (runnable(p)) return p;
        if (colon == std::string_view::npos) break;
        start = colon + 1;
    }
    return std::nullopt;
}

}  // namespace hotswap
