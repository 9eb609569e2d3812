#pragma once
// Supervisor: one supervised service. It walks a change through DESIGN.md §1 and §3 (change → build →
// artifact → spawn → ready → switch → drain) and carries out what an exit means; the state of each concern
// lives in a part of its own, which the supervisor only drives:
//   Generations     the running generations, their states and how each is stopped (generations.hpp)
//   UpgradeAttempt  reload_start … reload_end, its waiters and honest outcome (upgrade_attempt.hpp)
//   ArtifactIntake  the build output or deployed binary, checked and kept (artifact_intake.hpp)
//   Traffic         listening sockets, proxy routing and readiness (traffic.hpp)
//   Promotion       what a ready generation passes before the switch: check, shadow, shift (promotion.hpp)
//   SourceWatch     what starts an upgrade: sources (run) or the binary (serve) (source_watch.hpp)
// The rules themselves (state transitions, what an exit means) are pure functions in lifecycle.hpp; what
// touches processes and the file system (the build, the app's processes, the watch) goes through Drivers
// (drivers.hpp), so a unit test drives all of it with fakes on a manual clock.
// Modes: fd mode (listeners: the new generation starts on the same sockets, the old one stops once the new
// one is ready), proxy mode (--proxy: each generation on a private port, new connections to the serving
// one), restart mode (neither: the old generation stops, then the new one starts).
// supervisor.cpp holds the forward path and the exit dispatch; supervisor_requests.cpp what starts and
// stops it from outside (start, control requests, shutdown).

#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "build/build_runner.hpp"
#include "config/config.hpp"
#include "core/event_loop.hpp"
#include "events/lifecycle_events.hpp"
#include "ready/notify_server.hpp"
#include "supervise/artifact_intake.hpp"
#include "supervise/drivers.hpp"
#include "supervise/generations.hpp"
#include "supervise/leftover_reaper.hpp"
#include "supervise/promotion.hpp"
#include "supervise/restart_backoff.hpp"
#include "supervise/service_dirs.hpp"
#include "supervise/source_watch.hpp"
#include "supervise/traffic.hpp"
#include "supervise/upgrade_attempt.hpp"

namespace hotswap {

class Supervisor {
public:
    Supervisor(EventLoop& loop, Config config, Drivers drivers = real_drivers());
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
    // (Every event also reaches the front's live reload, before the sink.)
    void set_event_sink(EventSink sink) { outer_events_ = std::move(sink); }
    // Generations, states, pids, artifacts, uptimes, the last reload's timings.
    nlohmann::json status_json() const;
    // Artifacts with their outcomes, newest last.
    nlohmann::json history_json() const;
    // Rebuild (run) or take the artifact as it is now (serve), then swap; `done` once the outcome is known:
    // the new generation passed probation, or it failed and what serves now is said. `trigger` names who
    // asked in the reload_start event ("reload", "sighup", "key").
    void request_reload(std::string_view trigger, ReloadCallback done, ReloadProgress progress = {});
    // Serve `artifact_id` (empty: the previous good artifact) again, zero-downtime.
    void request_rollback(std::string_view artifact_id, std::string_view trigger, ReloadCallback done,
                          ReloadProgress progress = {});
    // True while a generation serves (hotswap status --ready).
    bool serving_now() const { return generations_.serving() != nullptr; }

private:
    bool serve_mode() const { return config_.verb == Verb::Serve; }
    // A server (as opposed to a command that ends on its own): it listens, reports readiness, or the
    // user said --restart on-crash. Probation, rollback and crash restarts apply to servers only.
    bool is_server() const;
    bool restart_on_crash() const;
    std::filesystem::path run_cwd() const;

    // The passes of start() that belong to no part (supervisor_requests.cpp).
    Result<void> open_notify_socket();
    void create_builder();

    // The forward path (supervisor.cpp).
    void on_changes(ChangeSet changes);
    void on_artifact_replaced(ChangeSet changes);
    void begin_upgrade(std::string_view trigger, std::string_view action = "reload");
    void build_or_launch(ChangeSet changes, std::string_view reason);
    void on_build_done(BuildResult result);
    void launch_new_build(Duration build_time, const ChangeSet& changes);
    void reload(LaunchTarget target);
    void spawn_generation(LaunchTarget target);
    void on_ready(int id);
    // The promotion of `id` is over: it takes over (ok), or it is stopped and its build marked bad.
    void on_promoted(int id, bool ok, const std::string& why);
    void switch_to(Generation& g);
    void on_ready_timeout(int id);
    void on_notify(const NotifyServer::Message& message);
    // The exit event of a generation that failed to start (before it ran, or not ready in time): `reason`
    // in short, `message` as it is reported.
    event::Exit failed_start(const Generation& g, std::string_view reason, std::string message) const;
    // A step of the attempt failed (its event has said so): the build of `g` is bad, and the attempt told.
    void fail_step(std::string_view why, const Generation* g = nullptr);

    // The exit dispatch (supervisor.cpp).
    void on_exit(int id, int wait_status);
    void end_probation(int id);
    void roll_back(const Generation& failed, const std::string& how);
    void schedule_restart(const Generation& crashed, const std::string& how);
    void launch_after_stop();
    bool newer_on_the_way() const;
    void unfavor_when_settled();
    void finish_shutdown_if_done();

    std::string describe_change(const ChangeSet& changes) const;

    EventLoop& loop_;
    Drivers drivers_;
    EventSink events_;        // what every part emits to: live reload, then outer_events_
    EventSink outer_events_;  // the control plane's
    Config config_;
    ServiceDirs dirs_;
    std::unique_ptr<NotifyServer> notify_;  // its socket is in dirs_: declared after it, so closed first
    Traffic traffic_;
    ArtifactIntake artifacts_;
    Generations generations_;
    UpgradeAttempt upgrade_;
    Promotion promotion_;
    LeftoverReaper leftovers_;
    std::unique_ptr<SourceWatch> watch_;
    std::unique_ptr<BuildRunner> builder_;
    // Restart mode: what to start once the old generation is gone.
    std::optional<LaunchTarget> launch_when_stopped_;

    RestartBackoff backoff_;
    EventLoop::Timer restart_timer_;
    int restarts_ = 0;

    std::optional<Duration> last_build_time_;
    Clock::time_point reload_started_{};
    nlohmann::json last_reload_ = nlohmann::json::object();

    bool shutting_down_ = false;
    int shutdown_checks_ = 0;
    EventLoop::Timer shutdown_poll_;  // looks again for a build or leftovers still to be reaped
};

}  // namespace hotswap
