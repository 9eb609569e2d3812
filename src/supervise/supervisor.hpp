#pragma once
// Supervisor: owns the generations and walks them through DESIGN.md §3. It reacts to settled changes
// (build, then reload), build results, readiness, child exits and shutdown. Two modes:
// - fd mode (listeners configured): the new generation starts on the same sockets, the old one is
//   stopped only once the new one is ready; nothing is ever refused.
// - restart mode (no listeners): the old generation is stopped, then the new one started.

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "build/builder.hpp"
#include "config/config.hpp"
#include "core/event_loop.hpp"
#include "net/listener.hpp"
#include "ready/notify_server.hpp"
#include "ready/ready_spec.hpp"
#include "supervise/generation.hpp"
#include "watch/debouncer.hpp"
#include "watch/watcher.hpp"

namespace hotswap {

// How a reload or rollback asked for from outside (control socket, keys, SIGHUP) ended.
struct ReloadOutcome {
    bool ok = false;         // true once the new generation serves
    std::string message;     // one sentence: what serves now, or why the old version still does
    int generation = 0;      // the generation that serves afterwards (0: none)
};
using ReloadCallback = std::function<void(const ReloadOutcome&)>;
// Receives every lifecycle event (change, build_start, build_end, spawn, ready, switch, drain, exit,
// rollback, ...) with its fields; the control part writes them out as JSON lines (--events).
using EventSink = std::function<void(std::string_view event, nlohmann::json fields)>;

class Supervisor {
public:
    Supervisor(EventLoop& loop, Config config);
    ~Supervisor();
    Supervisor(const Supervisor&) = delete;
    Supervisor& operator=(const Supervisor&) = delete;

    // Opens the sockets, starts watching, runs the first build (or the app). An Error here means
    // hotswap cannot run at all (exit status 1).
    Result<void> start();
    // SIGINT/SIGTERM: stop everything the same way as a drain, then leave the loop with status 0.
    // A second request kills what is left at once.
    void shutdown(int signo);

    // The control plane's view (control/ talks to the supervisor only through these).
    void set_event_sink(EventSink sink) { events_ = std::move(sink); }
    // Generations, states, pids, artifacts, uptimes, the last reload's timings.
    nlohmann::json status_json() const;
    // Artifacts with their outcomes, newest last.
    nlohmann::json history_json() const;
    // Rebuild (run) or take the artifact as it is now (serve), then swap; `done` once the outcome is known.
    void request_reload(ReloadCallback done);
    // Serve `artifact_id` (empty: the previous good artifact) again, zero-downtime.
    void request_rollback(std::string_view artifact_id, ReloadCallback done);
    // True while a generation serves (hotswap status --ready).
    bool serving_now() const;

private:
    bool fd_mode() const { return !listeners_.empty(); }

    // The passes of start(), in order.
    Result<void> prepare_state_dir();
    Result<void> open_listeners();
    Result<void> open_notify_socket();
    Result<void> start_watching();

    void on_changes(ChangeSet changes);
    void on_build_done(BuildResult result);
    void reload();
    void spawn_generation();
    void on_ready(int id);
    void on_ready_timeout(int id);
    void on_exit(int id, int wait_status);
    void on_notify(const NotifyServer::Message& message);
    void stop_generation(Generation& generation);
    void finish_shutdown_if_done();

    Generation* find(int id);
    Generation* serving();
    std::string describe_change(const ChangeSet& changes) const;
    std::string still_serving_note();

    void emit(std::string_view event, nlohmann::json fields = nlohmann::json::object()) const {
        if (events_) events_(event, std::move(fields));
    }

    EventLoop& loop_;
    EventSink events_;
    Config config_;
    std::filesystem::path state_dir_;
    std::filesystem::path runtime_dir_;  // private 0700 dir for the notify socket, removed at exit
    std::vector<Listener> listeners_;
    std::vector<std::string> listen_names_;
    std::unique_ptr<NotifyServer> notify_;
    ReadySpec ready_;
    std::unique_ptr<Watcher> watcher_;
    std::unique_ptr<Debouncer> debouncer_;
    std::unique_ptr<Builder> builder_;
    std::map<int, std::unique_ptr<Generation>> generations_;
    int next_id_ = 1;
    bool spawn_when_stopped_ = false;  // restart mode: start the next generation once the old one is gone
    std::optional<Duration> last_build_time_;
    Clock::time_point reload_started_{};
    bool shutting_down_ = false;
};

}  // namespace hotswap
