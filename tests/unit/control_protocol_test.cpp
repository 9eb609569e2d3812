// The control protocol's parser and the client's rendering of answers: every malformed input is an Error
// with a sentence, never an exception; the renderer copes with missing and oddly typed fields.

#include <gtest/gtest.h>

#include "control/client_output.hpp"
#include "control/protocol.hpp"

using namespace hotswap;

TEST(ControlProtocol, ParsesEveryCommand) {
    for (auto [text, command] : {std::pair{"status", ControlCommand::Status}, {"reload", ControlCommand::Reload},
                                 {"rollback", ControlCommand::Rollback}, {"history", ControlCommand::History},
                                 {"stop", ControlCommand::Stop}}) {
        auto r = parse_control_request(std::string(R"({"cmd":")") + text + R"("})");
        ASSERT_TRUE(r.ok()) << text;
        EXPECT_EQ(r->command, command);
        EXPECT_FALSE(r->artifact);
        EXPECT_STREQ(to_string(command), text);
    }
}

TEST(ControlProtocol, RollbackTakesAnId) {
    auto r = parse_control_request(R"({"cmd":"rollback","id":"3-abcdef012345"})");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->artifact.value(), "3-abcdef012345");
    EXPECT_EQ(to_json(*r).dump(), R"({"cmd":"rollback","id":"3-abcdef012345"})");
    // null and "" both mean "the previous good build".
    EXPECT_FALSE(parse_control_request(R"({"cmd":"rollback","id":null})")->artifact);
    EXPECT_FALSE(parse_control_request(R"({"cmd":"rollback","id":""})")->artifact);
}

TEST(ControlProtocol, ToleratesCrlfAndUnknownFields) {
    EXPECT_TRUE(parse_control_request("{\"cmd\":\"status\"}\r").ok());
    EXPECT_TRUE(parse_control_request(R"({"cmd":"status","client":"ci","v":2})").ok());
}

TEST(ControlProtocol, RefusesMalformedInputWithASentence) {
    struct Case {
        const char* input;
        const char* says;
    };
    for (auto [input, says] : {Case{"", "malformed request"}, Case{"{", "malformed request"},
                               Case{"status", "malformed request"}, Case{"[1,2]", "expected a JSON object"},
                               Case{"\"cmd\"", "expected a JSON object"}, Case{"{}", "\"cmd\" must be a string"},
                               Case{R"({"cmd":1})", "\"cmd\" must be a string"},
                               Case{R"({"cmd":"explode"})", "unknown command"},
                               Case{R"({"cmd":"rollback","id":7})", "\"id\" must be a string"},
                               Case{"{\"cmd\":\"st\xff\"}", "malformed request"}}) {
        auto r = parse_control_request(input);
        ASSERT_FALSE(r.ok()) << input;
        EXPECT_NE(r.error().to_string().find(says), std::string::npos) << input << " → " << r.error().to_string();
    }
}

TEST(ControlProtocol, RefusesEmbeddedNul) {
    using namespace std::string_view_literals;
    EXPECT_FALSE(parse_control_request("{\"cmd\":\"status\"}\0junk"sv).ok());
}

TEST(ControlProtocol, RefusesOversizedLinesUnparsed) {
    std::string huge = R"({"cmd":"status","pad":")" + std::string(kMaxControlMessage, 'x') + "\"}";
    auto r = parse_control_request(huge);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().to_string().find("too large"), std::string::npos);
    std::string long_id = R"({"cmd":"rollback","id":")" + std::string(kMaxArtifactId + 1, 'a') + "\"}";
    EXPECT_FALSE(parse_control_request(long_id).ok());
}

TEST(ControlProtocol, SurvivesDeepNesting) {
    std::string deep(20000, '[');
    EXPECT_FALSE(parse_control_request(deep).ok());
    deep += std::string(20000, ']');
    EXPECT_FALSE(parse_control_request(deep).ok());
}

TEST(ControlProtocol, ErrorRepliesCarryACode) {
    auto e = control_error("nope", ControlErrorCode::PermissionDenied);
    EXPECT_EQ(e["ok"], false);
    EXPECT_EQ(e["error"], "nope");
    EXPECT_EQ(e["code"], "permission_denied");
    std::string line = control_line(e);
    EXPECT_EQ(line.back(), '\n');
    EXPECT_EQ(line.find('\n'), line.size() - 1);  // one line, whatever the message holds
    EXPECT_EQ(control_line(control_error("two\nlines")).find('\n'), control_line(control_error("two\nlines")).size() - 1);
    EXPECT_NO_THROW(control_line(control_error("bad utf-8 \xff\xfe")));
}

TEST(ControlClientOutput, ShowsGenerationsAndTheLastReload) {
    auto reply = nlohmann::json::parse(R"({
        "ok": true, "pid": 42, "root": "/srv/app", "uptime_ms": 125000, "serving": true,
        "generations": [{"id": 3, "state": "serving", "pid": 4567, "uptime_ms": 61000, "artifact": "3-abc"},
                        {"id": 4, "state": "starting", "pid": 4590}],
        "last_reload": {"generation": 3, "build_ms": 312, "reason": "change"}})");
    std::string text = format_status(reply);
    EXPECT_NE(text.find("hotswap (pid 42) supervising /srv/app, up 2 min 5 s"), std::string::npos) << text;
    EXPECT_NE(text.find("app#3    serving   pid 4567     up 1 min 1 s"), std::string::npos) << text;
    EXPECT_NE(text.find("3-abc"), std::string::npos);
    EXPECT_NE(text.find("app#4    starting  pid 4590"), std::string::npos) << text;
    EXPECT_NE(text.find("last reload: app#3 (change), built in 312 ms\n"), std::string::npos) << text;
}

TEST(ControlClientOutput, ShowsTheFrontAndEachGenerationsRequests) {
    auto reply = nlohmann::json::parse(R"({"serving": true, "generations": [{"id": 5, "state": "serving"}],
        "front": {"address": "tcp://127.0.0.1:8080", "protocol": "auto", "connections_open": 64,
                  "connections_accepted": 70, "requests_waiting": 0, "bad_requests": 1, "requests_failed": 0,
                  "generations": [{"generation": 4, "state": "draining", "weight": 0, "requests": 900, "in_flight": 2,
                                   "retries": 1, "status_5xx": 0, "upstream_connections": 2, "upstream_idle": 0},
                                  {"generation": 5, "state": "routable", "weight": 100, "requests": 120, "in_flight": 62,
                                   "retries": 0, "status_5xx": 3, "upstream_connections": 64, "upstream_idle": 2}]}})");
    std::string text = format_status(reply);
    EXPECT_NE(text.find("  front: tcp://127.0.0.1:8080 (auto) · 64 connections open, 70 accepted, 0 waiting, 1 bad, 0 failed\n"),
              std::string::npos) << text;
    EXPECT_NE(text.find("    app#4 draining · weight 0 · 900 requests, 2 in flight, 1 retried, 0 5xx, 2 upstream (0 idle)\n"),
              std::string::npos) << text;
    EXPECT_NE(text.find("    app#5 routable · weight 100 · 120 requests, 62 in flight, 0 retried, 3 5xx, 64 upstream (2 idle)\n"),
              std::string::npos) << text;
}

TEST(ControlClientOutput, TheLastReloadReadsAsASentence) {
    // What a run without --artifact reports: an empty artifact, every duration in milliseconds.
    auto reply = nlohmann::json::parse(R"({"serving": true, "generations": [{"id": 2, "state": "serving", "artifact": ""}],
        "last_reload": {"generation": 2, "reason": "change", "artifact": "", "build_ms": 1240, "ready_ms": 15,
                        "total_ms": 1300, "queue_ms": 5, "note": ""}})");
    std::string text = format_status(reply);
    EXPECT_NE(text.find("  last reload: app#2 (change), built in 1.24 s, ready in 15 ms, 1.30 s in all, queue 5 ms\n"),
              std::string::npos)
        << text;
    EXPECT_EQ(text.find("artifact"), std::string::npos) << "no artifact, no word for it: " << text;
    EXPECT_EQ(text.find("_ms"), std::string::npos) << "units once, in words: " << text;
    reply["last_reload"]["artifact"] = "2-5e75968fa597";
    EXPECT_NE(format_status(reply).find("1.30 s in all, artifact 2-5e75968fa597"), std::string::npos)
        << format_status(reply);
}

TEST(ControlClientOutput, AnEmptyHistorySaysHowToGetOne) {
    std::string without = format_history(nlohmann::json::parse(R"({"ok": true, "artifacts": [], "artifacts_kept": false})"));
    EXPECT_NE(without.find("--artifact"), std::string::npos) << without;
    EXPECT_EQ(without.back(), '\n');
    EXPECT_EQ(without.find('\n'), without.size() - 1) << "one line";
    EXPECT_EQ(format_history(nlohmann::json::parse(R"({"artifacts": [], "artifacts_kept": true})")), "no builds yet\n");
}

TEST(ControlClientOutput, ShowsTheProxyInProxyMode) {
    auto reply = nlohmann::json::parse(R"({
        "ok": true, "pid": 42, "root": "/srv/app", "serving": true, "mode": "proxy",
        "proxy": {"address": "127.0.0.1:8080", "upstream_port": 40123, "connections_accepted": 10,
                  "connections_open": 2, "connections_failed": 0, "connections_waiting": 1,
                  "connections_replayed": 3}})");
    std::string text = format_status(reply);
    EXPECT_NE(text.find("proxy: 127.0.0.1:8080 -> 127.0.0.1:40123 · 2 open, 1 waiting, 10 accepted, 3 replayed, 0 failed"),
              std::string::npos)
        << text;
    reply["proxy"]["upstream_port"] = 0;
    EXPECT_NE(format_status(reply).find("-> nothing yet"), std::string::npos) << format_status(reply);
    EXPECT_EQ(format_status(nlohmann::json::parse(R"({"pid": 1})")).find("proxy"), std::string::npos);
}

TEST(ControlClientOutput, CopesWithMissingAndOddFields) {
    EXPECT_NE(format_status(nlohmann::json::object()).find("nothing is running yet"), std::string::npos);
    auto odd = nlohmann::json::parse(R"({"generations": [1, "x", {"id": "seven", "uptime": "3 s"}, {}],
                                         "serving": false, "last_reload": "never", "uptime_ms": "soon"})");
    std::string text = format_status(odd);
    EXPECT_NE(text.find("app#seven"), std::string::npos) << text;
    EXPECT_NE(text.find("nothing serves right now"), std::string::npos) << text;
    EXPECT_NE(text.find("last reload: never"), std::string::npos) << text;
    EXPECT_EQ(format_history(nlohmann::json::object()), "no builds yet\n");
    // Shapes only a broken or hostile peer would send (found by the fuzzer): no exception, no crash.
    for (const char* reply : {"[1,2]", "\"text\"", "null", "7", R"({"serving":"yes","generations":{"a":1}})",
                              R"({"uptime_ms":-5,"generations":[{"uptime_ms":1e300,"id":null}]})",
                              R"({"last_reload":{"build_ms":-1,"total_ms":"x"},"artifacts":"none"})",
                              R"({"uptime_ms":18446744073709551615})"}) {
        auto j = nlohmann::json::parse(reply);
        EXPECT_NO_THROW((void)format_status(j)) << reply;
        EXPECT_NO_THROW((void)format_history(j)) << reply;
    }
    EXPECT_EQ(string_field(nlohmann::json::array(), "x", "fallback"), "fallback");
    EXPECT_FALSE(bool_field(nlohmann::json::parse(R"({"ok":"true"})"), "ok", false)) << "only a real bool counts";
    auto history = nlohmann::json::parse(R"({"artifacts": [
        {"id": "1-aaa", "outcome": "good", "build_ms": 1240, "git_revision": "abc123"},
        {"id": "2-bbb", "outcome": "bad", "reason": "crashed during probation"}, 5]})");
    std::string h = format_history(history);
    EXPECT_NE(h.find("1-aaa                  good     built in 1.24 s    abc123"), std::string::npos) << h;
    EXPECT_NE(h.find("2-bbb                  bad       (crashed during probation)"), std::string::npos) << h;
}
