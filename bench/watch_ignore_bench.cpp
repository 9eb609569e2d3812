// Micro benchmarks of the ignore matcher: the cost of deciding one directory entry, as the walk does for
// each of 100,000 files. Baseline in the same run: a plain string comparison per entry (BM_Baseline).

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "watch/path_filter.hpp"
#include "watch/wildmatch.hpp"

using namespace hotswap;

namespace {

const std::vector<std::string> kNames = {"main.c",      "util.h",     "README.md", "x17.c",    "build",
                                         "handler.cpp", "server.go",  "a.o",       "notes.txt", ".gitignore",
                                         "test_x.py",   "index.js",   "Makefile",  "go.mod",    "lib.rs"};
const char* kTypicalGitignore =
    "# build outputs\n/build/\n/dist/\n*.o\n*.a\n*.so\nnode_modules/\n__pycache__/\n*.pyc\n**/*.log\n!keep.log\n"
    ".idea/\n.vscode/\ncoverage/\n*.tmp\ntarget/\n/vendor/**/testdata/\n";

void BM_Baseline(benchmark::State& state) {
    size_t i = 0, hits = 0;
    for (auto _ : state) {
        hits += kNames[i++ % kNames.size()] == "a.o";
        benchmark::DoNotOptimize(hits);
    }
}
BENCHMARK(BM_Baseline);

void decide_files(benchmark::State& state, const char* gitignore, bool dirs) {
    PathFilter filter({}, {}, "/p");
    ScopeId scope = filter.add_scope(IgnoreScope{{}, PatternList::parse(gitignore, "/p"), {}, {}, true});
    RuleChain chain;
    filter.begin_chain(chain);
    filter.add_to_chain(chain, scope);
    filter.end_chain(chain, scope);
    const std::string dir = "/p/src/module/";
    size_t i = 0, wanted = 0;
    for (auto _ : state) {
        const std::string& name = kNames[i++ % kNames.size()];
        wanted += dirs ? !filter.skip_directory(chain, dir, name) : filter.wants_file(chain, dir, name);
        benchmark::DoNotOptimize(wanted);
    }
}
void BM_FileBuiltinsOnly(benchmark::State& state) { decide_files(state, "", false); }
void BM_FileTypicalGitignore(benchmark::State& state) { decide_files(state, kTypicalGitignore, false); }
void BM_DirectoryTypicalGitignore(benchmark::State& state) { decide_files(state, kTypicalGitignore, true); }
BENCHMARK(BM_FileBuiltinsOnly);
BENCHMARK(BM_FileTypicalGitignore);
BENCHMARK(BM_DirectoryTypicalGitignore);

void BM_WildmatchDoubleStar(benchmark::State& state) {
    size_t hits = 0;
    for (auto _ : state) {
        hits += wildmatch("src/**/test_*.py", "src/a/b/c/test_x.py", WildFlags::Pathname);
        benchmark::DoNotOptimize(hits);
    }
}
BENCHMARK(BM_WildmatchDoubleStar);

}  // namespace

BENCHMARK_MAIN();
