#include "watch/path_filter.hpp"

#include <algorithm>

namespace hotswap {

namespace {
bool inside(std::string_view path, std::string_view dir) {
    return dir == "/" || path == dir || (path.starts_with(dir) && path.size() > dir.size() && path[dir.size()] == '/');
}
std::string_view basename_of(std::string_view path) {
    auto slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}
}  // namespace

PatternList PathFilter::builtin_patterns() {
    // VCS and hotswap's own state, then what editors write next to the file being saved.
    static constexpr std::string_view kBuiltin[] = {
        ".git/", ".hg/", ".svn/", ".jj/", ".hotswap/", "node_modules/", "__pycache__/",
        "*.swp", "*.swo", "*.swx", "*.swpx", "*~", "4913", ".#*", "#*#", "*.kate-swp", ".DS_Store",
    };
    PatternList list;
    for (auto p : kBuiltin) list.add(p);
    return list;
}

PathFilter::PathFilter(const std::vector<std::string>& roots, const std::vector<std::string>& extensions,
                       const std::vector<std::string>& ignore)
    : extensions_(extensions) {
    for (const auto& root : roots) {
        std::string top = find_repository_top(root);
        if (top.empty()) top = root;
        bool known = std::any_of(trees_.begin(), trees_.end(), [&](const auto& t) { return t->top() == top; });
        if (known) continue;
        auto tree = std::make_unique<IgnoreTree>(top);
        tree->set_builtin(builtin_patterns());
        PatternList command_line = PatternList::parse({}, roots.empty() ? top : roots.front());
        for (const auto& pattern : ignore) command_line.add(pattern);
        tree->set_command_line(std::move(command_line));
        trees_.push_back(std::move(tree));
    }
    // Longest top first, so a nested repository's rules are the ones that apply inside it.
    std::sort(trees_.begin(), trees_.end(), [](const auto& a, const auto& b) { return a->top().size() > b->top().size(); });
}

IgnoreTree& PathFilter::tree_for(std::string_view path) {
    for (auto& t : trees_)
        if (inside(path, t->top())) return *t;
    return *trees_.back();
}

bool PathFilter::skip_directory(std::string_view path) {
    return tree_for(path).check(path, true) == Verdict::Ignored;
}

bool PathFilter::wants_file(std::string_view path) {
    if (!extensions_.empty()) {
        std::string_view name = basename_of(path);
        auto dot = name.rfind('.');
        if (dot == std::string_view::npos || dot == 0) return false;
        std::string_view ext = name.substr(dot + 1);
        if (std::find(extensions_.begin(), extensions_.end(), ext) == extensions_.end()) return false;
    }
    // One level is enough: the walk never enters an excluded directory, so no event comes from inside one.
    return tree_for(path).check(path, false) != Verdict::Ignored;
}

void PathFilter::ignore_file_changed(std::string_view dir) { tree_for(dir).invalidate(dir); }

}  // namespace hotswap
