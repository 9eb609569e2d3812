// The typed lifecycle events as the JSON stream writes them: one name and one field set per kind.

#include <gtest/gtest.h>

#include "events/lifecycle_events.hpp"

using namespace hotswap;

TEST(Events, EveryExitHasTheSameFields) {
    const Event failed_start = event::Exit{2, 0, "0002-abc", "starting", "", "cannot run './app': no such file", 0, ""};
    const Event crash = event::Exit{3, 4242, "0003-def", "serving", "killed by SIGSEGV", "", 1200, "rollback"};
    EXPECT_EQ(event_name(failed_start), "exit");
    auto a = event_fields(failed_start);
    auto b = event_fields(crash);
    ASSERT_EQ(a.size(), b.size());
    for (auto& [key, value] : a.items()) EXPECT_TRUE(b.contains(key)) << key;
    EXPECT_TRUE(std::get<event::Exit>(failed_start).failed_start());
    EXPECT_FALSE(std::get<event::Exit>(crash).failed_start());
    EXPECT_EQ(b["status"], "killed by SIGSEGV");
    EXPECT_EQ(b["action"], "rollback");
}

TEST(Events, NamesAndFieldsAsTheStreamWritesThem) {
    EXPECT_EQ(event_name(event::ReloadEnd{true, "app#2 serves", 2, "change", 31}), "reload_end");
    EXPECT_EQ(event_fields(event::ReloadEnd{true, "app#2 serves", 2, "change", 31}),
              (nlohmann::json{{"ok", true}, {"message", "app#2 serves"}, {"generation", 2}, {"trigger", "change"}, {"duration_ms", 31}}));
    EXPECT_EQ(event_fields(event::BuildEnd{false, 12, "exit status 2", ""}),
              (nlohmann::json{{"ok", false}, {"duration_ms", 12}, {"reason", "exit status 2"}}));
    // A requested rollback has no failed generation to name.
    EXPECT_FALSE(event_fields(event::Rollback{0, "0001-a", "0002-b", "requested"}).contains("generation"));
    EXPECT_EQ(event_fields(event::Rollback{4, "0002-b", "0001-a", "app#4 died"})["generation"], 4);
    EXPECT_EQ(event_name(event::Leftovers{{12, 13}}), "leftovers");
}
