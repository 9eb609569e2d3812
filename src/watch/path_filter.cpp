#include "watch/path_filter.hpp"

#include <algorithm>

namespace hotswap {

PatternList PathFilter::builtin_patterns() {
    // VCS and hotswap's own state, then what editors write next to the file being saved: vim's swap
    // files and 4913 probe, `~` backups (vim, emacs), emacs' lock and autosave files, kate's swap file,
    // JetBrains' safe-write temporaries, gedit's output stream, macOS' folder metadata.
    static constexpr std::string_view kBuiltin[] = {
        ".git/", ".hg/", ".svn/", ".jj/", ".hotswap/", "node_modules/", "__pycache__/",
        "*.swp", "*.swo", "*.swx", "*.swpx", "*~", "4913", ".#*", "#*#", "*.kate-swp",
        "*___jb_tmp___", "*___jb_old___", ".goutputstream-*", ".DS_Store",
    };
    PatternList list = PatternList::parse({}, "/");
    for (auto p : kBuiltin) list.add(p);
    return list;
}

PathFilter::PathFilter(std::vector<std::string> extensions, const std::vector<std::string>& ignore,
                       std::string_view ignore_base, const std::vector<std::string>& ignore_paths)
    : extensions_(std::move(extensions)),
      outputs_(PatternList::parse({}, "/")),
      command_line_(PatternList::parse({}, ignore_base)),
      builtin_(builtin_patterns()) {
    for (auto& e : extensions_)
        if (e.starts_with('.')) e.erase(0, 1);  // "-e .go" means "-e go"
    for (const auto& pattern : ignore) command_line_.add(pattern);
    // An exact path as an anchored pattern: glob characters escaped, relative to "/".
    for (const auto& path : ignore_paths) {
        std::string pattern;
        for (char c : path) {
            if (c == '*' || c == '?' || c == '[' || c == '\\') pattern += '\\';
            pattern += c;
        }
        if (!pattern.starts_with('/')) pattern.insert(0, "/");
        outputs_.add(pattern);
    }
}

ScopeId PathFilter::add_scope(IgnoreScope scope) {
    if (!free_scopes_.empty()) {
        ScopeId id = free_scopes_.back();
        free_scopes_.pop_back();
        *scopes_[id] = std::move(scope);
        return id;
    }
    scopes_.push_back(std::make_unique<IgnoreScope>(std::move(scope)));
    return ScopeId(scopes_.size() - 1);
}

void PathFilter::replace_scope(ScopeId id, IgnoreScope scope) { *scopes_[id] = std::move(scope); }

void PathFilter::drop_scope(ScopeId id) {
    *scopes_[id] = IgnoreScope{};
    free_scopes_.push_back(id);
}

void PathFilter::begin_chain(RuleChain& chain) const {
    chain.lists.clear();
    if (!outputs_.empty()) chain.lists.push_back(&outputs_);
    if (!command_line_.empty()) chain.lists.push_back(&command_line_);
}

void PathFilter::add_to_chain(RuleChain& chain, ScopeId id) const {
    const IgnoreScope& s = *scopes_[id];
    if (!s.dot_ignore.empty()) chain.lists.push_back(&s.dot_ignore);
    if (!s.gitignore.empty()) chain.lists.push_back(&s.gitignore);
}

void PathFilter::end_chain(RuleChain& chain, ScopeId repository_top) const {
    if (repository_top != kNoScope) {
        const IgnoreScope& top = *scopes_[repository_top];
        if (!top.exclude.empty()) chain.lists.push_back(&top.exclude);
        if (!top.global.empty()) chain.lists.push_back(&top.global);
    }
    chain.lists.push_back(&builtin_);
}

bool PathFilter::skip_directory(const RuleChain& chain, std::string_view dir, std::string_view name) const {
    return decide(chain.lists, dir, name, true) == Verdict::Ignored;
}

bool PathFilter::wants_file(const RuleChain& chain, std::string_view dir, std::string_view name) const {
    if (!extensions_.empty()) {
        auto dot = name.rfind('.');
        if (dot == std::string_view::npos || dot == 0) return false;
        std::string_view ext = name.substr(dot + 1);
        if (std::find(extensions_.begin(), extensions_.end(), ext) == extensions_.end()) return false;
    }
    return decide(chain.lists, dir, name, false) != Verdict::Ignored;
}

}  // namespace hotswap
