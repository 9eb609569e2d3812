#include <sys/stat.h>

#include <gtest/gtest.h>

#include <fstream>

#include "artifact/artifact_store.hpp"
#include "artifact/file_hash.hpp"
#include "temp_dir.hpp"

using hotswap::testing::TempDir;
using namespace hotswap;
namespace fs = std::filesystem;

namespace {
class ArtifactStoreTest : public ::testing::Test {
protected:
    fs::path binary(const std::string& content, bool executable = true) {
        fs::path p = dir_ / "server";
        fs::remove(p);
        std::ofstream(p) << content;
        ::chmod(p.c_str(), executable ? 0755 : 0644);
        return p;
    }
    TempDir temp_{"hotswap-artifact"};
    const fs::path& dir_ = temp_.path();
};
}  // namespace

TEST_F(ArtifactStoreTest, CopiesReadOnlyWithMetadata) {
    auto store = ArtifactStore::open(dir_ / "artifacts", 5);
    ASSERT_TRUE(store.ok());
    ChangeSet changes{{Change{"/src/main.go", ChangeKind::Modified}}};
    auto a = store->add(binary("v1"), Duration(120), changes, "abc123");
    ASSERT_TRUE(a.ok()) << a.error().to_string();
    EXPECT_EQ(a->seq, 1);
    EXPECT_EQ(a->id, "1-" + sha256_file(dir_ / "server").value().substr(0, 12));
    struct stat st;
    ASSERT_EQ(::stat(a->path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0500u);
    EXPECT_EQ(a->changed, (std::vector<std::string>{"/src/main.go"}));
    EXPECT_EQ(a->build_ms, 120);

    // The index survives a reopen.
    store->mark(a->id, ArtifactOutcome::Good);
    auto reopened = ArtifactStore::open(dir_ / "artifacts", 5);
    ASSERT_TRUE(reopened.ok());
    ASSERT_EQ(reopened->all().size(), 1u);
    EXPECT_EQ(reopened->all()[0].outcome, ArtifactOutcome::Good);
    EXPECT_EQ(reopened->all()[0].git_revision, "abc123");
    auto next = reopened->add(binary("v2"), Duration(1), {}, "");
    ASSERT_TRUE(next.ok());
    EXPECT_EQ(next->seq, 2);
}

TEST_F(ArtifactStoreTest, MissingOrNonExecutableOutputIsAFailedBuild) {
    auto store = ArtifactStore::open(dir_ / "artifacts", 5);
    auto missing = store->add(dir_ / "nope", Duration(1), {}, "");
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().to_string().find("produced no"), std::string::npos);
    auto plain = store->add(binary("x", false), Duration(1), {}, "");
    ASSERT_FALSE(plain.ok());
    EXPECT_NE(plain.error().to_string().find("not an executable"), std::string::npos);
}

TEST_F(ArtifactStoreTest, LastGoodAndPruneKeepWhatIsNeeded) {
    auto store = ArtifactStore::open(dir_ / "artifacts", 2);
    std::vector<std::string> ids;
    for (int i = 0; i < 5; ++i) ids.push_back(store->add(binary("v" + std::to_string(i)), Duration(1), {}, "")->id);
    store->mark(ids[0], ArtifactOutcome::Good);
    store->mark(ids[3], ArtifactOutcome::Bad, "crashed");
    EXPECT_EQ(store->last_good()->id, ids[0]);
    EXPECT_EQ(store->last_good(ids[0]), nullptr);
    store->prune({ids[4]});
    std::vector<std::string> left;
    for (const auto& a : store->all()) left.push_back(a.id);
    // ids[0] is the last good one, ids[4] is in use: both survive; the oldest others go.
    EXPECT_EQ(left, (std::vector<std::string>{ids[0], ids[4]}));
    EXPECT_FALSE(fs::exists(dir_ / "artifacts" / ids[1]));
}
