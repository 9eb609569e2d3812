// Differential test of the ignore rules against git itself: generated trees, generated .gitignore files
// and .git/info/exclude (negation, anchoring, `**`, directory-only patterns, classes, escapes, trailing
// spaces), and for every path of every tree, hotswap's walk must agree with `git check-ignore`. The RNG is
// seeded, so a failure names the tree that reproduces it.

#include <spawn.h>
#include <sys/wait.h>

#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "watch/watched_tree.hpp"
#include "watch_test_support.hpp"

extern char** environ;

using namespace hotswap;
using namespace hotswap::testing;

namespace {

constexpr uint32_t kSeed = 20240611;
constexpr int kTrees = 10;
constexpr int kRoundsPerTree = 8;
constexpr size_t kMaxPathsPerTree = 220;

class Rng {
public:
    explicit Rng(uint32_t seed) : gen_(seed) {}
    int below(int n) { return std::uniform_int_distribution<int>(0, n - 1)(gen_); }
    bool percent(int p) { return below(100) < p; }
    template <typename T>
    const T& pick(const std::vector<T>& v) { return v[size_t(below(int(v.size())))]; }

private:
    std::mt19937 gen_;
};

// Entry names: plain, with dots, a capital, glob characters, a space, a trailing space, a leading '!'.
const std::vector<std::string> kNames = {"a",   "b",    "c",    "ab",   "ba",   "abc",  "a.c", "b.c",
                                         "a.o", "x.py", "doc",  "Foo",  "foo",  "f[1]", "q?",  "st*r",
                                         "a b", "t ",   "!bang", ".hid", "build", "lib"};

std::string escape(std::string_view name) {
    std::string out;
    for (char c : name) {
        if (c == '*' || c == '?' || c == '[' || c == '\\' || c == ' ') out += '\\';
        out += c;
    }
    if (out.starts_with('!') || out.starts_with('#')) out.insert(0, "\\");
    return out;
}

std::string component(Rng& r) {
    static const std::vector<std::string> kGlobs = {"*",    "?",      "a*",     "*.c",     "*.o",   "[ab]",
                                                    "[!a]*", "[a-c]", "?b",     "*c",      "b*",    "[[:upper:]]*",
                                                    "*[0-9]*", "f\\[1]", "[^b]", "*.*",    "a?c",   "[]a]"};
    if (r.percent(55)) return escape(r.pick(kNames));
    return r.pick(kGlobs);
}

std::string pattern(Rng& r) {
    std::string p;
    switch (r.below(9)) {
        case 0: p = "**/" + component(r); break;
        case 1: p = component(r) + "/**"; break;
        case 2: p = component(r) + "/**/" + component(r); break;
        case 3: p = component(r) + "**/" + component(r); break;  // `**` not a whole component
        case 4: p = component(r) + "/" + component(r); break;
        case 5: p = component(r) + "/" + component(r) + "/" + component(r); break;
        default: p = component(r); break;
    }
    if (r.percent(20)) p = "/" + p;
    if (r.percent(25)) p += "/";
    if (r.percent(25)) p = "!" + p;
    if (r.percent(5)) p += "  ";
    if (r.percent(3)) p += "\\ ";
    if (r.percent(3)) p = "#" + p;  // a comment
    return p;
}

std::string ignore_file(Rng& r) {
    std::string text;
    int n = 1 + r.below(6);
    for (int i = 0; i < n; ++i) text += pattern(r) + (r.percent(10) ? "\r\n" : "\n");
    if (r.percent(10)) text += "\n# trailing comment\n";
    return text;
}

struct Tree {
    std::vector<std::string> dirs, files;  // relative paths; every directory holds a .gitignore (maybe empty)
};

// Directories and files only; the rules are written per round by write_rules().
Tree make_tree(Rng& r, const std::string& top) {
    Tree t;
    std::vector<std::pair<std::string, int>> pending{{"", 0}};
    while (!pending.empty()) {
        auto [rel, depth] = pending.back();
        pending.pop_back();
        std::set<std::string> used;
        int entries = 3 + r.below(5);
        for (int i = 0; i < entries && t.dirs.size() + t.files.size() < kMaxPathsPerTree; ++i) {
            const std::string& name = r.pick(kNames);
            if (!used.insert(name).second) continue;
            std::string child = rel.empty() ? name : rel + "/" + name;
            if (depth < 4 && r.percent(50)) {
                make_dirs(top + "/" + child);
                t.dirs.push_back(child);
                pending.emplace_back(child, depth + 1);
            } else {
                write_file(top + "/" + child);
                t.files.push_back(child);
            }
        }
        t.files.push_back(rel.empty() ? ".gitignore" : rel + "/.gitignore");
    }
    make_dirs(top + "/.git/info");
    return t;
}

// New rules for every directory (most stay empty) and for .git/info/exclude; returns them for a failure
// message.
std::string write_rules(Rng& r, const std::string& top, const Tree& t) {
    std::string all;
    auto put = [&](const std::string& rel_file, bool used) {
        std::string text = used ? ignore_file(r) : "";
        write_file(top + "/" + rel_file, text);
        if (used) all += "--- " + rel_file + "\n" + text;
    };
    put(".gitignore", true);
    for (const auto& d : t.dirs) put(d + "/.gitignore", r.percent(30));
    put(".git/info/exclude", r.percent(50));
    return all;
}

int run(std::vector<std::string> argv, const std::string& in, const std::string& out) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, in.c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    pid_t pid;
    int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) return -1;
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string read_all(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

}  // namespace

TEST(GitignoreDifferential, AgreesWithGitCheckIgnore) {
    TempDir scratch{"hotswap-gitignore"};
    // Only the rules written here: no system, user or global git configuration or excludes file.
    ::setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
    ::setenv("HOME", scratch.path().c_str(), 1);
    ::setenv("XDG_CONFIG_HOME", scratch.path().c_str(), 1);
    std::string empty = scratch.file("empty");
    write_file(empty, "");
    if (run({"git", "--version"}, empty, scratch.file("version")) != 0) GTEST_SKIP() << "git is not installed";

    Rng r(kSeed);
    size_t cases = 0, mismatches = 0;
    for (int tree_no = 0; tree_no < kTrees && mismatches == 0; ++tree_no) {
        std::string top = scratch.file("t" + std::to_string(tree_no));
        make_dirs(top);
        ASSERT_EQ(run({"git", "init", "-q", "--template=", top}, empty, scratch.file("init.out")), 0);
        Tree tree = make_tree(r, top);
        std::string list;
        for (const auto& d : tree.dirs) list += d + '\0';
        for (const auto& f : tree.files) list += f + '\0';
        std::string in = scratch.file("paths"), out = scratch.file("ignored");
        write_file(in, list);

        for (int round = 0; round < kRoundsPerTree && mismatches == 0; ++round) {
            std::string rules = write_rules(r, top, tree);
            // git's verdicts.
            int rc = run({"git", "-C", top, "check-ignore", "--no-index", "--stdin", "-z"}, in, out);
            ASSERT_TRUE(rc == 0 || rc == 1) << "git check-ignore failed";
            std::set<std::string> ignored;
            std::string text = read_all(out);
            for (size_t start = 0, nul; (nul = text.find('\0', start)) != std::string::npos; start = nul + 1)
                ignored.insert(text.substr(start, nul - start));

            // hotswap's: what the walk watches.
            WatchOptions options;
            options.roots = {top};
            WatchedTree walked(options);
            ASSERT_TRUE(walked.resolve_roots().ok());
            ASSERT_TRUE(walked.attach_root(0));
            std::set<std::string> watched;
            WalkHooks hooks;
            hooks.enter = [&](NodeId, const std::string& path) {
                if (path != top) watched.insert(path.substr(top.size() + 1));
                return DirAction::Descend;
            };
            hooks.on_file = [&](NodeId, std::string_view dir, std::string_view name, int) {
                watched.insert(std::string(dir.substr(top.size() + 1)) + std::string(name));
            };
            walked.walk(walked.roots()[0].node, hooks);

            auto check = [&](const std::string& path, const char* what) {
                ++cases;
                bool git_ignores = ignored.count(path) > 0;
                bool we_watch = watched.count(path) > 0;
                if (git_ignores == !we_watch) return;
                if (++mismatches <= 10)
                    ADD_FAILURE() << "tree " << tree_no << " round " << round << " (seed " << kSeed << "), " << what
                                  << " '" << path << "': git says " << (git_ignores ? "ignored" : "not ignored")
                                  << ", hotswap " << (we_watch ? "watches it" : "does not watch it") << "\n"
                                  << rules;
            };
            for (const auto& d : tree.dirs) check(d, "directory");
            for (const auto& f : tree.files) check(f, "file");
        }
    }
    EXPECT_EQ(mismatches, 0u);
    EXPECT_GE(cases, 5000u) << "too few generated cases to mean much";
    std::cout << "[ differential ] " << cases << " paths (" << kTrees << " generated trees x " << kRoundsPerTree
              << " generated rule sets) agree with git check-ignore\n";
}
