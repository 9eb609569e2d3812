#include "supervise/artifact_command.hpp"

#include <unistd.h>

namespace hotswap {

ArtifactCommand command_for_artifact(const std::vector<std::string>& command, std::string_view artifact_as_written,
                                     const std::filesystem::path& artifact_absolute, const std::filesystem::path& cwd,
                                     const std::filesystem::path& copy) {
    ArtifactCommand out;
    out.argv = command;
    if (artifact_as_written.empty()) return out;
    const auto wanted = artifact_absolute.lexically_normal();
    for (auto& arg : out.argv) {
        bool same = arg == artifact_as_written;
        if (!same && arg.find('/') != std::string::npos) {
            std::filesystem::path p(arg);
            same = (p.is_absolute() ? p : cwd / p).lexically_normal() == wanted;
        }
        if (!same) continue;
        arg = copy.string();
        out.replaced = true;
    }
    return out;
}

std::optional<std::filesystem::path> program_file(std::string_view program, const std::filesystem::path& cwd,
                                                  std::string_view search_path) {
    namespace fs = std::filesystem;
    auto runnable = [](const fs::path& p) {
        std::error_code ec;
        return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
    };
    if (program.empty()) return std::nullopt;
    if (program.find('/') != std::string_view::npos) {
        fs::path p(program);
        p = (p.is_absolute() ? p : cwd / p).lexically_normal();
        if (runnable(p)) return p;
        return std::nullopt;
    }
    for (size_t start = 0; start <= search_path.size();) {
        size_t colon = search_path.find(':', start);
        std::string_view dir = search_path.substr(start, colon == std::string_view::npos ? colon : colon - start);
        fs::path base = dir.empty() ? cwd : fs::path(dir);
        fs::path p = ((base.is_absolute() ? base : cwd / base) / program).lexically_normal();
        if (runnable(p)) return p;
        if (colon == std::string_view::npos) break;
        start = colon + 1;
    }
    return std::nullopt;
}

}  // namespace hotswap
