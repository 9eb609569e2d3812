#include "watch/ignore_rules.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdlib>

#include "core/file_descriptor.hpp"
#include "watch/join_path.hpp"
#include "watch/wildmatch.hpp"

namespace hotswap {

namespace {

bool is_glob_char(char c) { return c == '*' || c == '?' || c == '[' || c == '\\'; }

size_t simple_length(std::string_view s) {
    size_t i = 0;
    while (i < s.size() && !is_glob_char(s[i])) ++i;
    return i;
}

// Git drops trailing spaces unless escaped with a backslash ("foo\ " keeps one space). Tabs stay.
std::string_view trim_trailing_spaces(std::string_view line) {
    size_t last_space = std::string_view::npos;
    for (size_t i = 0; i < line.size(); ++i) {
        char c = line[i];
        if (c == ' ') {
            if (last_space == std::string_view::npos) last_space = i;
        } else if (c == '\\') {
            ++i;
            if (i >= line.size()) return line;
            last_space = std::string_view::npos;
        } else {
            last_space = std::string_view::npos;
        }
    }
    return last_space == std::string_view::npos ? line : line.substr(0, last_space);
}

bool read_file(const std::string& path, std::string& out) {
    FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (!fd) return false;
    struct stat st;
    // A FIFO or device named .gitignore must not block the watcher.
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
    std::array<char, 8192> buf;
    for (;;) {
        ssize_t n = ::read(fd.get(), buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        if (n == 0) return true;
        out.append(buf.data(), size_t(n));
    }
}

}  // namespace

PatternList PatternList::parse(std::string_view text, std::string_view base_dir) {
    PatternList list;
    list.base_ = std::string(base_dir);
    if (list.base_.empty() || list.base_.back() != '/') list.base_ += '/';
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // git skips a UTF-8 BOM too
    while (!text.empty()) {
        size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        if (line.empty() || line.front() == '#') continue;
        if (line.ends_with('\r')) line.remove_suffix(1);
        list.add(trim_trailing_spaces(line));
    }
    return list;
}

void PatternList::add(std::string_view line) {
    // git's parse_path_pattern().
    Pattern p;
    if (line.starts_with('!')) {
        p.negated = true;
        line.remove_prefix(1);
    }
    if (line.ends_with('/')) {
        p.dir_only = true;
        line.remove_suffix(1);
    }
    if (line.empty()) return;  // can never match anything
    p.basename = line.find('/') == std::string_view::npos;
    size_t prefix = std::min(simple_length(line), line.size());
    if (!p.basename && line.front() == '/') {  // match_pathname() skips the leading slash the same way
        line.remove_prefix(1);
        --prefix;
    }
    // "**/name" (no other '/') matches `name` at any depth below base: exactly what a basename pattern
    // does, without a wildmatch of the whole relative path per entry.
    if (!p.basename && line.starts_with("**/") && line.size() > 3 && line.find('/', 3) == std::string_view::npos) {
        line.remove_prefix(3);
        p.basename = true;
        prefix = std::min(simple_length(line), line.size());
    }
    p.prefix = uint32_t(prefix);
    p.text = std::string(line);
    // A basename "head*tail" (git's "*literal" ENDSWITH case among them) is two comparisons.
    if (p.basename && std::count_if(line.begin(), line.end(), is_glob_char) == 1 && line.find('*') != line.npos)
        p.star = int32_t(line.find('*'));
    patterns_.push_back(std::move(p));
}

bool PatternList::matches_basename(const Pattern& p, std::string_view name) const {
    // git's match_basename().
    if (p.prefix == p.text.size()) return name == p.text;
    if (p.star >= 0) {
        std::string_view head = std::string_view(p.text).substr(0, size_t(p.star));
        std::string_view tail = std::string_view(p.text).substr(size_t(p.star) + 1);
        return name.size() >= head.size() + tail.size() && name.starts_with(head) && name.ends_with(tail);
    }
    return wildmatch(p.text, name, WildFlags::None);
}

bool PatternList::matches_path(const Pattern& p, std::string_view dir, std::string_view name) const {
    // git's match_pathname(): relative to the directory holding the ignore file; the entry must lie
    // strictly below it.
    if (dir.size() < base_.size() || !dir.starts_with(base_)) return false;
    thread_local std::string rest;
    rest.assign(dir.substr(base_.size()));
    rest += name;
    std::string_view pattern = p.text;
    std::string_view text = rest;
    if (p.prefix > 0) {
        // The literal prefix is compared first and the glob matches the remainder on its own, exactly as
        // git does: this is why "a**/b" lets `**` cross directories after the "a".
        if (p.prefix > text.size() || text.substr(0, p.prefix) != pattern.substr(0, p.prefix)) return false;
        pattern.remove_prefix(p.prefix);
        text.remove_prefix(p.prefix);
        if (pattern.empty() && text.empty()) return true;
    }
    return wildmatch(pattern, text, WildFlags::Pathname);
}

Verdict PatternList::match(std::string_view dir, std::string_view name, bool is_dir) const {
    for (auto it = patterns_.rbegin(); it != patterns_.rend(); ++it) {
        if (it->dir_only && !is_dir) continue;
        bool hit = it->basename ? matches_basename(*it, name) : matches_path(*it, dir, name);
        if (hit) return it->negated ? Verdict::Included : Verdict::Ignored;
    }
    return Verdict::None;
}

PatternList load_ignore_file(const std::string& file, std::string_view base_dir) {
    std::string text;
    if (!read_file(file, text)) return PatternList::parse({}, base_dir);
    return PatternList::parse(text, base_dir);
}

Verdict decide(std::span<const PatternList* const> lists, std::string_view dir, std::string_view name, bool is_dir) {
    for (const PatternList* list : lists) {
        if (list->empty()) continue;
        Verdict v = list->match(dir, name, is_dir);
        if (v != Verdict::None) return v;
    }
    return Verdict::None;
}

IgnoreScope load_scope(std::string_view dir, IgnoreFilesPresent present) {
    IgnoreScope scope;
    if (present.dot_ignore) scope.dot_ignore = load_ignore_file(join_path(dir, ".ignore"), dir);
    if (present.gitignore) scope.gitignore = load_ignore_file(join_path(dir, ".gitignore"), dir);
    if (present.git) {
        scope.repository_top = true;
        scope.exclude = load_ignore_file(join_path(dir, ".git/info/exclude"), dir);
        scope.global = load_global_excludes(dir);
    }
    return scope;
}

bool is_ignore_file_name(std::string_view name) { return name == ".gitignore" || name == ".ignore"; }

PatternList load_global_excludes(std::string_view repository_top) {
    std::string file;
    const char* xdg = std::getenv("XDG_CONFIG_HOME");
    const char* home = std::getenv("HOME");
    if (xdg && *xdg) file = join_path(xdg, "git/ignore");
    else if (home && *home) file = join_path(home, ".config/git/ignore");
    else return PatternList::parse({}, repository_top);
    // Like info/exclude, its patterns are relative to the top of the repository they apply to.
    return load_ignore_file(file, repository_top);
}

}  // namespace hotswap
