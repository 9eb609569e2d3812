#pragma once
// The command a generation runs when builds are kept as artifacts: the argv element that names the build
// output (--artifact) is replaced by the generation's own read-only copy, so a rebuild never writes over a
// binary that is running ("text file busy") and a rollback runs exactly the old build.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hotswap {

struct ArtifactCommand {
    std::vector<std::string> argv;
    bool replaced = false;  // false: no element names the artifact (e.g. `sh -c "..."`); $HOTSWAP_ARTIFACT still does
};

// An element matches when it is written exactly as `artifact_as_written`, or when it holds a '/' and names
// the file `artifact_absolute` once taken relative to the command's working directory `cwd`
// (./out/app, out/app and /abs/out/app are one file; a bare "app" is a PATH lookup and never matches).
ArtifactCommand command_for_artifact(const std::vector<std::string>& command, std::string_view artifact_as_written,
                                     const std::filesystem::path& artifact_absolute, const std::filesystem::path& cwd,
                                     const std::filesystem::path& copy);

}  // namespace hotswap
