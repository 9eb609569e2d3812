#pragma once
// PathFilter: which paths the watcher cares about. Directories are pruned before a watch is added (built-in
// VCS and tool directories, .gitignore/.ignore/--ignore exclusions); files must also pass --ext and the
// built-in editor ignores (swap files, `~` backups, vim's 4913 probe).

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "watch/ignore_rules.hpp"

namespace hotswap {

class PathFilter {
public:
    // `roots` absolute; `ignore` gitignore-syntax patterns relative to the first root.
    PathFilter(const std::vector<std::string>& roots, const std::vector<std::string>& extensions,
               const std::vector<std::string>& ignore);

    // A directory the walk should not enter (nor watch).
    bool skip_directory(std::string_view path);
    // A file whose change should trigger a build.
    bool wants_file(std::string_view path);
    // An ignore file (.gitignore, .ignore) was written: forget what was read from its directory.
    bool is_ignore_file(std::string_view name) const { return name == ".gitignore" || name == ".ignore"; }
    void ignore_file_changed(std::string_view dir);

    // The patterns hotswap always ignores, in gitignore syntax.
    static PatternList builtin_patterns();

private:
    IgnoreTree& tree_for(std::string_view path);

    std::vector<std::unique_ptr<IgnoreTree>> trees_;  // one per distinct repository (or root outside one)
    std::vector<std::string> extensions_;
};

}  // namespace hotswap
