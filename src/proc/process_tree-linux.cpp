#include "proc/process_tree.hpp"

#include <dirent.h>
#include <unistd.h>

#include <charconv>
#include <unordered_map>

#include <fmt/core.h>

#include "core/small_file.hpp"

namespace hotswap {

namespace {

bool parse_pid(std::string_view text, pid_t& out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

// A /proc file whole, or its first MiB (an environment larger than that is not worth reading on); empty
// when it is gone or unreadable: the process may have exited meanwhile.
std::string read_proc_file(const std::string& path) {
    auto text = read_small_file(path, size_t(1) << 20, Oversize::Cut);
    return text ? std::move(*text) : std::string();
}

}  // namespace

std::optional<ProcessEntry> parse_proc_stat(std::string_view line) {
    // The command name is in parentheses and may itself hold spaces and ')': the last ')' ends it.
    auto close = line.rfind(')');
    if (close == std::string_view::npos) return std::nullopt;
    ProcessEntry e;
    auto space = line.find(' ');
    if (space == std::string_view::npos || !parse_pid(line.substr(0, space), e.pid)) return std::nullopt;
    std::string_view rest = line.substr(close + 1);
    // Fields after the name: state ppid pgrp ...
    std::string_view fields[3];
    for (auto& field : fields) {
        while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
        auto end = rest.find(' ');
        if (end == std::string_view::npos) return std::nullopt;
        field = rest.substr(0, end);
        rest.remove_prefix(end);
    }
    if (fields[0].size() != 1 || !parse_pid(fields[1], e.ppid) || !parse_pid(fields[2], e.pgid)) return std::nullopt;
    e.state = fields[0][0];
    return e;
}

ProcessTree ProcessTree::snapshot() {
    std::vector<ProcessEntry> entries;
    DIR* dir = ::opendir("/proc");  // opendir uses O_CLOEXEC
    if (!dir) return ProcessTree(std::move(entries));
    while (dirent* d = ::readdir(dir)) {
        pid_t pid;
        if (!parse_pid(d->d_name, pid)) continue;
        std::string stat = read_proc_file(fmt::format("/proc/{}/stat", pid));
        if (auto e = parse_proc_stat(stat)) entries.push_back(*e);
    }
    ::closedir(dir);
    return ProcessTree(std::move(entries));
}

std::vector<pid_t> ProcessTree::children_of(pid_t parent) const {
    std::vector<pid_t> out;
    for (const auto& e : entries_)
        if (e.ppid == parent && !e.zombie()) out.push_back(e.pid);
    return out;
}

std::vector<pid_t> ProcessTree::descendants_of(pid_t root) const {
    std::unordered_multimap<pid_t, pid_t> children;
    for (const auto& e : entries_)
        if (!e.zombie()) children.emplace(e.ppid, e.pid);
    std::vector<pid_t> out;
    std::vector<pid_t> todo{root};
    while (!todo.empty()) {
        pid_t p = todo.back();
        todo.pop_back();
        auto [begin, end] = children.equal_range(p);
        for (auto it = begin; it != end; ++it) {
            if (it->second == root) continue;  // pid 0's entries list themselves as their own parent
            out.push_back(it->second);
            todo.push_back(it->second);
        }
        if (out.size() > entries_.size()) break;  // a cycle cannot happen, but never loop forever
    }
    return out;
}

std::vector<pid_t> threads_of(pid_t pid) {
    std::vector<pid_t> out;
    DIR* dir = ::opendir(fmt::format("/proc/{}/task", pid).c_str());  // opendir uses O_CLOEXEC
    if (!dir) return out;
    while (dirent* d = ::readdir(dir))
        if (pid_t tid; parse_pid(d->d_name, tid)) out.push_back(tid);
    ::closedir(dir);
    return out;
}

std::optional<std::vector<pid_t>> direct_children(pid_t pid) {
    std::vector<pid_t> out;
    bool offered = false;
    for (pid_t tid : threads_of(pid)) {
        std::string path = fmt::format("/proc/{}/task/{}/children", pid, tid);
        if (::access(path.c_str(), R_OK) != 0) continue;
        offered = true;
        std::string text = read_proc_file(path);
        std::string_view rest = text;
        while (!rest.empty()) {
            auto space = rest.find(' ');
            pid_t child;
            if (parse_pid(rest.substr(0, space), child)) out.push_back(child);
            if (space == std::string_view::npos) break;
            rest.remove_prefix(space + 1);
        }
    }
    if (!offered) return std::nullopt;
    return out;
}

std::optional<std::string> initial_environment_value(pid_t pid, std::string_view name) {
    std::string env = read_proc_file(fmt::format("/proc/{}/environ", pid));
    std::string_view rest = env;
    while (!rest.empty()) {
        auto nul = rest.find('\0');
        std::string_view entry = rest.substr(0, nul);
        if (entry.size() > name.size() && entry.substr(0, name.size()) == name && entry[name.size()] == '=')
            return std::string(entry.substr(name.size() + 1));
        if (nul == std::string_view::npos) break;
        rest.remove_prefix(nul + 1);
    }
    return std::nullopt;
}

}  // namespace hotswap
