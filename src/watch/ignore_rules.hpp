#pragma once
// Ignore rules with git's exact semantics (gitignore(5)): pattern syntax, per-directory scoping,
// precedence, and "nothing inside an excluded directory can be re-included".
//
// Paths are absolute everywhere: each PatternList remembers the absolute directory its patterns are
// relative to, so rules from several roots, the repository's .git/info/exclude and --ignore (relative to
// the first root) all apply to the same path strings without conversions.

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace hotswap {

enum class Verdict { None, Ignored, Included };

// The patterns of one ignore file (or of --ignore): within it the last matching pattern wins.
class PatternList {
public:
    PatternList() = default;
    // `base_dir`: absolute directory the patterns are relative to (the one holding the file).
    // `text`: the file's contents, one pattern per line, with gitignore's comment and escape rules.
    static PatternList parse(std::string_view text, std::string_view base_dir);
    // Adds patterns one by one (the lines of --ignore).
    void add(std::string_view line);

    // `path` absolute, `name` its last component.
    Verdict match(std::string_view path, std::string_view name, bool is_dir) const;
    bool empty() const { return patterns_.empty(); }
    size_t size() const { return patterns_.size(); }
    const std::string& base() const { return base_; }

private:
    struct Pattern {
        std::string text;      // without the leading '!' and the trailing '/'
        bool negated = false;
        bool dir_only = false;  // trailing '/'
        bool basename = false;  // no '/' inside: matches the name at any depth below base
        bool literal = false;   // no glob character: plain comparison
        bool ends_with = false; // "*literal": a suffix comparison
    };
    bool matches(const Pattern& p, std::string_view path, std::string_view name) const;

    std::string base_;  // absolute, with a trailing '/'
    std::vector<Pattern> patterns_;
};

// Reads an ignore file; a missing or unreadable file gives an empty list (git ignores it too).
PatternList load_ignore_file(const std::string& file, std::string_view base_dir);

// The first verdict in precedence order: `lists` from highest to lowest precedence.
Verdict decide(std::span<const PatternList* const> lists, std::string_view path, std::string_view name,
               bool is_dir);

// The ignore files found in one directory: .ignore (ripgrep's convention, outranks .gitignore) and
// .gitignore. Either may be empty.
struct DirIgnoreFiles {
    PatternList dot_ignore;
    PatternList gitignore;
    bool empty() const { return dot_ignore.empty() && gitignore.empty(); }
};
DirIgnoreFiles load_dir_ignore_files(std::string_view dir);

// Finds the repository holding `dir` (the nearest ancestor with a .git entry); empty when there is none.
std::string find_repository_top(std::string_view dir);

// Answers "is this path ignored?" for any path below `top`, reading ignore files lazily from disk.
// The watcher keeps its rules in its directory tree instead; this one serves the polling backend and
// tests, and defines the reference semantics the watcher's incremental checks must agree with.
class IgnoreTree {
public:
    // `top`: absolute directory where .gitignore files start to count (a repository's top level, or the
    // watched root outside a repository). Reads `top`/.git/info/exclude when present.
    explicit IgnoreTree(std::string top, bool read_dot_ignore = true);

    void set_command_line(PatternList list) { command_line_ = std::move(list); }  // highest precedence
    void set_builtin(PatternList list) { builtin_ = std::move(list); }            // lowest precedence

    // Git's full answer: excluded by the path's own rules, or inside an excluded directory.
    bool is_ignored(std::string_view path, bool is_dir);
    // One level only: the path's own verdict, assuming its parent directories are not excluded.
    Verdict check(std::string_view path, bool is_dir);
    // Forgets the cached ignore files of `dir` (after it changed on disk).
    void invalidate(std::string_view dir);

    const std::string& top() const { return top_; }

private:
    const DirIgnoreFiles& dir_files(std::string_view dir);

    std::string top_;
    bool read_dot_ignore_;
    PatternList command_line_;
    PatternList exclude_file_;
    PatternList builtin_;
    std::unordered_map<std::string, DirIgnoreFiles> cache_;
};

}  // namespace hotswap
