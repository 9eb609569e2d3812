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
              (nlohmann::json{{"ok", true}, {"message", "app#2 serves"}, {"generation", 2}, {"trigger", "change"},
                              {"duration_ms", 31}, {"artifact", ""}, {"probation_ms", 0}}));
    EXPECT_EQ(event_fields(event::BuildEnd{.ok = false, .duration_ms = 12, .reason = "exit status 2", .still_serving = 1,
                                           .tail = {"main.c:3: error"}}),
              (nlohmann::json{{"ok", false}, {"duration_ms", 12}, {"reason", "exit status 2"}, {"refused", false},
                              {"still_serving", 1}, {"tail", {"main.c:3: error"}}}));
    EXPECT_EQ(event_fields(event::BuildEnd{.ok = true, .duration_ms = 12, .artifact = "0003-abc"}),
              (nlohmann::json{{"ok", true}, {"duration_ms", 12}, {"artifact", "0003-abc"}}));
    // A requested rollback has no failed generation to name.
    EXPECT_FALSE(event_fields(event::Rollback{0, "0001-a", "0002-b", "requested"}).contains("generation"));
    EXPECT_EQ(event_fields(event::Rollback{4, "0002-b", "0001-a", "app#4 died"})["generation"], 4);
    EXPECT_EQ(event_name(event::Leftovers{{12, 13}}), "leftovers");
}

// Tests and scripts match the stream's lines with regular expressions over adjacent keys (the keys come
// sorted): the fields added for the console must not come between keys that such patterns join.
TEST(Events, AddedFieldsKeepTheKeysThatLineUpAdjacent) {
    const auto exit = event_fields(event::Exit{.generation = 4, .pid = 9, .state = "starting", .reason = "not ready in time",
                                               .uptime_ms = 2000, .message = "app#4 was not ready within 2.00 s",
                                               .still_serving = 1});
    const std::string line = exit.dump();
    EXPECT_NE(line.find(R"("reason":"not ready in time","state":"starting","status":"")"), std::string::npos) << line;
    EXPECT_TRUE(exit["stop_ms"].is_null());
    EXPECT_EQ(exit["still_serving"], 1);
    const std::string build = event_fields(event::BuildEnd{.ok = false, .duration_ms = 1200, .reason = "build timeout"}).dump();
    EXPECT_NE(build.find(R"("duration_ms":1200,"ok":false,"reason":"build timeout")"), std::string::npos) << build;
    const std::string drain = event_fields(event::Drain{.generation = 1, .signal = "SIGTERM", .drain_timeout_ms = 1000,
                                                        .reason = "replaced"}).dump();
    EXPECT_NE(drain.find(R"("drain_timeout_ms":1000,"generation":1,)"), std::string::npos) << drain;
    const std::string crash = event_fields(event::Exit{.generation = 1, .artifact = "1-abc", .state = "serving",
                                                       .status = "killed by SIGABRT", .action = "restart",
                                                       .is_crash = true, .is_server = true}).dump();
    EXPECT_NE(crash.find(R"("action":"restart","artifact":"1-abc","generation":1,)"), std::string::npos) << crash;
    EXPECT_NE(crash.find(R"("state":"serving","status":"killed by SIGABRT")"), std::string::npos) << crash;
    const std::string restart = event_fields(event::Restart{.generation = 1, .artifact = "1-abc", .delay_ms = 500,
                                                            .attempt = 1, .uptime_ms = 900}).dump();
    EXPECT_NE(restart.find(R"("artifact":"1-abc","attempt":1,"delay_ms":500,"generation":1,)"), std::string::npos) << restart;
    const std::string change = event_fields(event::Change{.paths = 1, .first = "src/main.c"}).dump();
    EXPECT_NE(change.find(R"("first":"src/main.c","paths":1})"), std::string::npos) << change;
}
