#pragma once
// Ignore rules with git's exact semantics (gitignore(5)): the pattern syntax, per-directory scoping and
// precedence. The matching mirrors git's dir.c (match_basename, match_pathname) line for line, because
// users check their ignore files with `git check-ignore`, and any difference is a bug report.
// "Nothing inside an excluded directory can be re-included" is the walk's job: it never enters one.
//
// Paths are absolute everywhere: each PatternList remembers the absolute directory its patterns are
// relative to, so the rules of several roots, of .git/info/exclude and of --ignore all apply to the same
// path strings without conversions.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
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
    // Adds one pattern line (--ignore): the same syntax as a line of a .gitignore.
    void add(std::string_view line);

    // `dir`: the absolute directory holding the entry, with a trailing '/'; `name`: the entry's name.
    Verdict match(std::string_view dir, std::string_view name, bool is_dir) const;
    bool empty() const { return patterns_.empty(); }
    size_t size() const { return patterns_.size(); }
    const std::string& base() const { return base_; }

private:
    struct Pattern {
        std::string text;         // without the leading '!', the trailing '/' and, for paths, a leading '/'
        uint32_t prefix = 0;      // length of the leading part without glob characters
        bool negated = false;
        bool dir_only = false;    // trailing '/'
        bool basename = false;    // no '/' inside: matches the name at any depth below base
        int32_t star = -1;        // basename "head*tail" without other glob characters: where the '*' is
    };
    bool matches_basename(const Pattern& p, std::string_view name) const;
    bool matches_path(const Pattern& p, std::string_view dir, std::string_view name) const;

    std::string base_;  // absolute, with a trailing '/'
    std::vector<Pattern> patterns_;
};

// Reads an ignore file; a missing or unreadable file gives an empty list (git ignores it too).
PatternList load_ignore_file(const std::string& file, std::string_view base_dir);

// The first verdict in precedence order: `lists` from highest to lowest precedence.
Verdict decide(std::span<const PatternList* const> lists, std::string_view dir, std::string_view name, bool is_dir);

// The rules one directory contributes: its .ignore (ripgrep's convention, outranks .gitignore), its
// .gitignore and, when it is a repository's top, .git/info/exclude.
struct IgnoreScope {
    PatternList dot_ignore;
    PatternList gitignore;
    PatternList exclude;
    PatternList global;  // git's global excludes file, for a repository's top
    bool repository_top = false;
};

// What a directory listing says about the ignore files present (to read only the files that exist).
struct IgnoreFilesPresent {
    bool dot_ignore = false;
    bool gitignore = false;
    bool git = false;  // a .git entry: the directory is a repository's top
    bool any() const { return dot_ignore || gitignore || git; }
};
IgnoreScope load_scope(std::string_view dir, IgnoreFilesPresent present);

// True for the names whose change alters the rules of their directory.
bool is_ignore_file_name(std::string_view name);

// git's default global excludes file ($XDG_CONFIG_HOME/git/ignore, else ~/.config/git/ignore), for one
// repository. (A core.excludesFile set in git's config is not read.)
PatternList load_global_excludes(std::string_view repository_top);

}  // namespace hotswap
