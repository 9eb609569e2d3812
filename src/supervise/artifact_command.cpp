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

}  // namespace hotswap
