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

// The file a command's first element runs, as execvp finds it: a name with a '/' is taken relative to
// `cwd`; a bare name is looked up in `search_path` (PATH's value; an empty entry is `cwd`). nullopt when
// no executable file of that name exists. `hotswap serve` watches and checks this file when no --artifact
// is given.
std::optional<std::filesystem::path> program_file(std::string_view program, const std::filesystem::path& cwd,
                                                  std::string_view search_path);

}  // namespace hotswap
