#include "watch/ignore_rules.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>

#include "core/file_descriptor.hpp"
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

std::string parent_of(std::string_view path) {
    auto slash = path.rfind('/');
    if (slash == std::string_view::npos) return {};
    if (slash == 0) return "/";
    return std::string(path.substr(0, slash));
}

std::string join(std::string_view dir, std::string_view name) {
    std::string out(dir);
    if (out.empty() || out.back() != '/') out += '/';
    out += name;
    return out;
}

bool read_file(const std::string& path, std::string& out) {
    FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (!fd) return false;
    struct stat st;
    // A FIFO or device named .gitignore must not block the watcher.
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
    std::array<char, 16384> buf;
    for (;;) {
        ssize_t n = ::read(fd.get(), buf.data(), buf.size());
        if (n < 0) return false;
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
        if (line.ends_with('\r')) line.remove_suffix(1);
        if (line.empty() || line.front() == '#') continue;
        list.add(trim_trailing_spaces(line));
    }
    return list;
}

void PatternList::add(std::string_view line) {
    Pattern p;
    if (line.starts_with('!')) {
        p.negated = true;
        line.remove_prefix(1);
    }
    // The "*literal" test looks at the text before the trailing slash is dropped, as git does.
    p.ends_with = !line.empty() && line.front() == '*' && simple_length(line.substr(1)) == line.size() - 1;
    if (line.ends_with('/')) {
        p.dir_only = true;
        line.remove_suffix(1);
    }
    if (line.empty()) return;  // can never match anything
    p.basename = line.find('/') == std::string_view::npos;
    p.literal = simple_length(line) == line.size();
    p.text = std::string(line);
    if (!p.basename && p.text.front() == '/') p.text.erase(0, 1);  // anchoring is implied for paths
    patterns_.push_back(std::move(p));
}

bool PatternList::matches(const Pattern& p, std::string_view path, std::string_view name) const {
    if (p.basename) {
        if (p.literal) return name == p.text;
        if (p.ends_with) return name.ends_with(std::string_view(p.text).substr(1));
        return wildmatch(p.text, name, WildFlags::None);
    }
    // Relative to the directory holding the ignore file; the path must lie strictly below it.
    if (path.size() <= base_.size() || !path.starts_with(base_)) return false;
    std::string_view rest = path.substr(base_.size());
    if (p.literal) return rest == p.text;
    return wildmatch(p.text, rest, WildFlags::Pathname);
}

Verdict PatternList::match(std::string_view path, std::string_view name, bool is_dir) const {
    for (auto it = patterns_.rbegin(); it != patterns_.rend(); ++it) {
        if (it->dir_only && !is_dir) continue;
        if (matches(*it, path, name)) return it->negated ? Verdict::Included : Verdict::Ignored;
    }
    return Verdict::None;
}

PatternList load_ignore_file(const std::string& file, std::string_view base_dir) {
    std::string text;
    if (!read_file(file, text)) return PatternList::parse({}, base_dir);
    return PatternList::parse(text, base_dir);
}

Verdict decide(std::span<const PatternList* const> lists, std::string_view path, std::string_view name,
               bool is_dir) {
    for (const PatternList* list : lists) {
        Verdict v = list->match(path, name, is_dir);
        if (v != Verdict::None) return v;
    }
    return Verdict::None;
}

DirIgnoreFiles load_dir_ignore_files(std::string_view dir) {
    return DirIgnoreFiles{load_ignore_file(join(dir, ".ignore"), dir), load_ignore_file(join(dir, ".gitignore"), dir)};
}

std::string find_repository_top(std::string_view dir) {
    std::string d(dir);
    for (;;) {
        struct stat st;
        if (::lstat(join(d, ".git").c_str(), &st) == 0) return d;
        if (d == "/" || d.empty()) return {};
        d = parent_of(d);
    }
}

IgnoreTree::IgnoreTree(std::string top, bool read_dot_ignore) : top_(std::move(top)), read_dot_ignore_(read_dot_ignore) {
    exclude_file_ = load_ignore_file(join(top_, ".git/info/exclude"), top_);
}

const DirIgnoreFiles& IgnoreTree::dir_files(std::string_view dir) {
    auto it = cache_.find(std::string(dir));
    if (it != cache_.end()) return it->second;
    DirIgnoreFiles files = load_dir_ignore_files(dir);
    if (!read_dot_ignore_) files.dot_ignore = PatternList::parse({}, dir);
    return cache_.emplace(std::string(dir), std::move(files)).first->second;
}

void IgnoreTree::invalidate(std::string_view dir) { cache_.erase(std::string(dir)); }

Verdict IgnoreTree::check(std::string_view path, bool is_dir) {
    std::vector<const PatternList*> lists;
    lists.push_back(&command_line_);
    // Deeper ignore files outrank shallower ones; only directories from `top` down count.
    std::string dir = parent_of(path);
    while (!dir.empty() && (dir == top_ || dir.starts_with(top_ + "/") || top_ == "/")) {
        const DirIgnoreFiles& files = dir_files(dir);
        lists.push_back(&files.dot_ignore);
        lists.push_back(&files.gitignore);
        if (dir == top_ || dir == "/") break;
        dir = parent_of(dir);
    }
    lists.push_back(&exclude_file_);
    lists.push_back(&builtin_);
    auto slash = path.rfind('/');
    std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
    return decide(lists, path, name, is_dir);
}

bool IgnoreTree::is_ignored(std::string_view path, bool is_dir) {
    // Every directory between top and the path, outermost first: an excluded one hides all below it.
    if (path.size() > top_.size() && path.starts_with(top_)) {
        size_t pos = top_ == "/" ? 1 : top_.size() + 1;
        for (;;) {
            size_t slash = path.find('/', pos);
            if (slash == std::string_view::npos) break;
            if (check(path.substr(0, slash), true) == Verdict::Ignored) return true;
            pos = slash + 1;
        }
    }
    return check(path, is_dir) == Verdict::Ignored;
}

}  // namespace hotswap
