#include "supervise/live_reload_feed.hpp"

#include <fmt/core.h>

#include "core/overloaded.hpp"

namespace hotswap {

namespace {

std::string with_tail(std::string first, const std::vector<std::string>& tail) {
    for (const auto& line : tail) {
        first += '\n';
        first += line;
    }
    return first;
}

}  // namespace

void feed_live_reload(LiveReloadHub& hub, const Event& event) {
    std::visit(overloaded{
                   [&](const event::Switch& e) {
                       // After a rollback the pages reload to the old version, and the overlay says why.
                       hub.serving(e.generation, /*keep_error=*/e.reason == "rollback");
                   },
                   [&](const event::BuildEnd& e) {
                       if (e.ok) {
                           hub.clear();
                           return;
                       }
                       hub.error({.kind = "build", .title = "Build failed", .text = with_tail(e.reason, e.tail)});
                   },
                   [&](const event::Exit& e) {
                       if (e.message.empty()) return;
                       hub.error({.kind = "start", .title = fmt::format("app#{} did not start", e.generation),
                                  .text = with_tail(e.message, e.tail)});
                   },
                   [&](const event::Rollback& e) {
                       if (e.generation == 0) return;  // asked for: nothing went wrong
                       hub.error({.kind = "rollback", .title = fmt::format("app#{} was rolled back", e.generation),
                                  .text = e.reason});
                   },
                   [&](const event::Check& e) {
                       if (e.ok) return;
                       hub.error({.kind = "check", .title = fmt::format("app#{} failed its check", e.generation),
                                  .text = with_tail(fmt::format("{}: {}", e.command, e.status), e.tail)});
                   },
                   [&](const event::Shadow& e) {
                       if (!e.blocked) return;
                       hub.error({.kind = "check", .title = fmt::format("app#{} answers worse than before", e.generation),
                                  .text = with_tail(e.summary, e.regressed)});
                   },
                   [&](const event::ShiftEnd& e) {
                       if (e.ok) return;
                       hub.error({.kind = "check", .title = fmt::format("app#{}'s traffic shift was aborted", e.generation),
                                  .text = e.reason});
                   },
                   [](const auto&) {},
               },
               event);
}

}  // namespace hotswap
