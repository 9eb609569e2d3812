#include "control/systemd_notifier.hpp"

#include <time.h>

#include <type_traits>
#include <variant>

#include <fmt/core.h>

#include "control/sd_notify.hpp"
#include "lib/notify_message.h"
#include "ui/console.hpp"

namespace hotswap {

namespace {

// The longest status line sent: `systemctl status` shows one short line.
constexpr size_t kStatusMax = 200;

// STATUS= is one line; a newline would start a new (unknown) assignment. libhotswap's rule, so a status
// reads the same from hotswap and from the servers linked to the library: line breaks become spaces, and
// a cut never splits a UTF-8 character.
std::string one_line(std::string_view text) {
    constexpr std::string_view prefix = "STATUS=";
    char message[prefix.size() + kStatusMax + 1];
    size_t length = hotswap_internal_status_message(message, sizeof message, std::string(text).c_str());
    return std::string(message + prefix.size(), length - prefix.size());
}

}  // namespace

unsigned long long monotonic_usec() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1'000'000ull + (unsigned long long)ts.tv_nsec / 1000ull;
}

SystemdNotifier::SystemdNotifier()
    : SystemdNotifier([](std::string_view message) {
          static bool warned = false;
          if (auto r = sd_notify_send(message); !r && !warned) {
              warned = true;  // once: a broken NOTIFY_SOCKET must not flood the log
              Console::get().warn(fmt::format("cannot notify the service manager: {}", r.error().to_string()));
          }
      }) {}

SystemdNotifier::SystemdNotifier(Sender send) : send_(std::move(send)) {}

void SystemdNotifier::send(const std::string& message) {
    if (send_) send_(message);
}

void SystemdNotifier::serving(std::string_view status) {
    if (phase_ == Phase::Starting || phase_ == Phase::Reloading) {
        phase_ = Phase::Ready;
        last_status_ = one_line(status);
        send(fmt::format("READY=1\nSTATUS={}", last_status_));
    } else if (phase_ == Phase::Ready) {
        this->status(status);
    }
}

void SystemdNotifier::reload_started(std::string_view why) {
    // Before the first READY=1 the manager is still waiting for startup: a reload is not news to it.
    if (phase_ != Phase::Ready) return;
    phase_ = Phase::Reloading;
    last_status_ = one_line(fmt::format("reloading: {}", why));
    send(fmt::format("RELOADING=1\nMONOTONIC_USEC={}\nSTATUS={}", monotonic_usec(), last_status_));
}

void SystemdNotifier::reload_finished(std::string_view status) {
    if (phase_ != Phase::Reloading) {
        this->status(status);
        return;
    }
    phase_ = Phase::Ready;
    last_status_ = one_line(status);
    send(fmt::format("READY=1\nSTATUS={}", last_status_));
}

void SystemdNotifier::status(std::string_view text) {
    if (phase_ == Phase::Stopping) return;
    std::string line = one_line(text);
    if (line == last_status_) return;
    last_status_ = line;
    send(fmt::format("STATUS={}", line));
}

void SystemdNotifier::stopping() {
    if (phase_ == Phase::Stopping) return;
    phase_ = Phase::Stopping;
    send("STOPPING=1\nSTATUS=stopping");
}

void SystemdNotifier::on_event(const Event& event, bool serving_now) {
    if (phase_ == Phase::Stopping) return;
    std::visit(
        [&](const auto& e) {
            using E = std::decay_t<decltype(e)>;
            // An upgrade begins: asked for (reload_start), or a change (of a source, of serve's binary) that
            // starts one; the change comes first, so the status names what changed.
            if constexpr (std::is_same_v<E, event::ReloadStart>) {
                reload_started(e.trigger.empty() ? "upgrade" : e.trigger);
            } else if constexpr (std::is_same_v<E, event::Change>) {
                reload_started(e.first.empty() ? "upgrade" : fmt::format("{} changed", e.first));
            } else if constexpr (std::is_same_v<E, event::BuildStart>) {
                reload_started(e.reason.empty() || e.reason == "start" ? "upgrade" : e.reason);
            }
            // … and ends: a new generation serves, or it failed and the old one still does.
            else if constexpr (std::is_same_v<E, event::Switch>) {
                serving(fmt::format("serving app#{}", e.generation));
            } else if constexpr (std::is_same_v<E, event::ReloadEnd>) {
                reload_finished(e.message.empty() ? (serving_now ? "serving" : "not serving") : e.message);
            } else if constexpr (std::is_same_v<E, event::BuildEnd>) {
                if (!e.ok) reload_finished(serving_now ? "build failed; the previous version still serves" : "build failed");
            } else if constexpr (std::is_same_v<E, event::Exit>) {
                if (e.failed_start())
                    reload_finished(serving_now ? "the new version failed to start; the previous version still serves"
                                                : "the new version failed to start");
            } else if constexpr (std::is_same_v<E, event::Rollback>) {
                status("rolling back to the previous good build");
            }
        },
        event);
    // Restart mode may have no switch: the first generation that runs is the one that serves.
    if (phase_ == Phase::Starting && serving_now) serving("serving");
}

}  // namespace hotswap
