// git's wildmatch, on cases from git's own t3070-wildmatch.sh (the differential test covers the rest).

#include <gtest/gtest.h>

#include "watch/ignore_rules.hpp"
#include "watch/wildmatch.hpp"

using namespace hotswap;

TEST(Wildmatch, GitCases) {
    struct Case { bool match; const char* text; const char* pattern; WildFlags flags; };
    const Case cases[] = {
        {true, "foo", "foo", WildFlags::None},
        {false, "foo", "bar", WildFlags::None},
        {true, "foo", "???", WildFlags::None},
        {true, "foo", "*f*", WildFlags::None},
        {true, "foo/bar", "foo/*", WildFlags::Pathname},
        {false, "foo/bar/baz", "foo/*", WildFlags::Pathname},
        {true, "foo/bar/baz", "foo/**", WildFlags::Pathname},
        {true, "foo/bar", "foo/**/bar", WildFlags::Pathname},
        {true, "foo/a/b/bar", "foo/**/bar", WildFlags::Pathname},
        {false, "foo/bar", "foo?bar", WildFlags::Pathname},
        {true, "foo/bar", "foo?bar", WildFlags::None},
        {true, "]", "[]]", WildFlags::None},
        {false, "a", "[!a]", WildFlags::None},
        {true, "-", "[a-]", WildFlags::None},
        {true, "a", "[[:alpha:]]", WildFlags::None},
        {false, "1", "[[:alpha:]]", WildFlags::None},
        {true, "*", "\\*", WildFlags::None},
        {false, "a", "\\*", WildFlags::None},
        {true, "deep/foo/bar/baz/x", "**/bar/*/x", WildFlags::Pathname},
        {false, "deep/foo/bar/baz/x", "*/bar/**", WildFlags::Pathname},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(wildmatch(c.pattern, c.text, c.flags), c.match) << c.pattern << " vs " << c.text;
    }
}

TEST(PatternList, PrecedenceNegationAndDirectoryOnly) {
    auto list = PatternList::parse("*.log\n!keep.log\nbuild/\n/root-only\ndoc/**/*.md\n", "/p");
    EXPECT_EQ(list.match("/p/", "x.log", false), Verdict::Ignored);
    EXPECT_EQ(list.match("/p/sub/", "keep.log", false), Verdict::Included);
    EXPECT_EQ(list.match("/p/sub/", "build", true), Verdict::Ignored);
    EXPECT_EQ(list.match("/p/sub/", "build", false), Verdict::None);  // a file named build: not a directory
    EXPECT_EQ(list.match("/p/", "root-only", false), Verdict::Ignored);
    EXPECT_EQ(list.match("/p/sub/", "root-only", false), Verdict::None);
    EXPECT_EQ(list.match("/p/doc/", "a.md", false), Verdict::Ignored);
    EXPECT_EQ(list.match("/p/doc/x/y/", "a.md", false), Verdict::Ignored);
    EXPECT_EQ(list.match("/q/doc/", "a.md", false), Verdict::None);  // outside the file's directory
}

TEST(PatternList, TrailingSpacesCommentsAndEscapes) {
    auto list = PatternList::parse("a  \nb\\ \n#c\n\\#d\n\\!e\n\xEF\xBB\xBF", "/p");
    EXPECT_EQ(list.match("/p/", "a", false), Verdict::Ignored);
    EXPECT_EQ(list.match("/p/", "b ", false), Verdict::Ignored);
    EXPECT_EQ(list.match("/p/", "#c", false), Verdict::None);
    EXPECT_EQ(list.match("/p/", "#d", false), Verdict::Ignored);
    EXPECT_EQ(list.match("/p/", "!e", false), Verdict::Ignored);
}

TEST(PatternList, DoubleStarAfterALiteralPrefixCrossesDirectories) {
    // git compares the literal prefix "a" first and matches "**/b" on the rest, where `**/` is whole.
    auto list = PatternList::parse("a**/b\n", "/p");
    EXPECT_EQ(list.match("/p/ax/y/", "b", false), Verdict::Ignored);
    EXPECT_EQ(list.match("/p/a/", "b", false), Verdict::Ignored);
}
