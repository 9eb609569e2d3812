#pragma once
// PathFilter: which paths the watcher cares about. It owns the ignore scopes (the rules each directory's
// .gitignore/.ignore contributes) and answers, for one entry of one directory, given the chain of rules in
// force there: prune this directory? report this file? Files must also pass --ext and the built-in
// editor/VCS ignores (swap files, `~` backups, vim's 4913 probe, .git/, .hotswap/).

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "watch/directory_tree.hpp"
#include "watch/ignore_rules.hpp"

namespace hotswap {

// The pattern lists in force in one directory, highest precedence first: --ignore, then each directory's
// .ignore and .gitignore from the deepest up to the repository's top, .git/info/exclude, git's global
// excludes, and hotswap's built-ins.
struct RuleChain {
    std::vector<const PatternList*> lists;
};

class PathFilter {
public:
    // `ignore`: gitignore-syntax patterns relative to `ignore_base` (the first root); `ignore_paths`:
    // absolute paths ignored as they are (no glob), ahead of every rule.
    PathFilter(std::vector<std::string> extensions, const std::vector<std::string>& ignore,
               std::string_view ignore_base, const std::vector<std::string>& ignore_paths = {});

    ScopeId add_scope(IgnoreScope scope);
    void replace_scope(ScopeId id, IgnoreScope scope);
    void drop_scope(ScopeId id);
    const IgnoreScope& scope(ScopeId id) const { return *scopes_[id]; }

    // A chain is built as begin, one add per directory (deepest first), end.
    void begin_chain(RuleChain& chain) const;
    void add_to_chain(RuleChain& chain, ScopeId id) const;
    void end_chain(RuleChain& chain, ScopeId repository_top) const;

    // `dir`: absolute, with a trailing '/'; `name`: the entry in it.
    bool skip_directory(const RuleChain& chain, std::string_view dir, std::string_view name) const;
    bool wants_file(const RuleChain& chain, std::string_view dir, std::string_view name) const;

    // The patterns hotswap always ignores, in gitignore syntax (lowest precedence).
    static PatternList builtin_patterns();

private:
    std::vector<std::string> extensions_;
    PatternList outputs_;
    PatternList command_line_;
    PatternList builtin_;
    std::vector<std::unique_ptr<IgnoreScope>> scopes_;  // stable addresses: chains point into them
    std::vector<ScopeId> free_scopes_;
};

}  // namespace hotswap
