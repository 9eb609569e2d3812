#pragma once
// Supervisor: owns the generations and walks them through DESIGN.md §3. It reacts to settled changes
// (build, then reload), build results, readiness, child exits and shutdown. `hotswap serve` is the same
// engine without builder: it watches the artifact itself and checks every binary before it runs it
// (supervisor_serve.cpp). Every upgrade attempt is bracketed by reload_start … reload_end, and its outcome
// is known only once the new generation has passed probation (supervisor_upgrade.cpp). Two modes:
// - fd mode (listeners configured): the new generation starts on the same sockets, the old one is
//   stopped only once the new one is ready; nothing is ever refused.
// - proxy mode (--proxy): hotswap listens and forwards each connection to the serving generation's private
//   port ($PORT); otherwise as fd mode (overlap, readiness-gated switch), and both may be combined.
// - restart mode (neither): the old generation is stopped, then the new one started.
// The rules themselves (state transitions, what an exit means) are pure functions in lifecycle.hpp; the
// member functions are spread over supervisor_*.cpp by concern: start, swap, recovery, stop, api.

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "artifact/artifact_store.hpp"
#include "artifact/binary_check.hpp"
#include "build/builder.hpp"
#include "config/config.hpp"
#include "core/event_loop.hpp"
#include "net/listener.hpp"
#include "net/proxy.hpp"
#include "ready/notify_server.hpp"
#include "ready/ready_spec.hpp"
#include "supervise/generation.hpp"
#include "supervise/restart_backoff.hpp"
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
// Notes while a reload is under way, for the one who waits ("app#3 serving; on probation for 5 s").
using ReloadProgress = std::function<void(std::string_view note)>;
// Receives every lifecycle event (change, build_start, build_end, spawn, ready, switch, drain, exit,
// rollback, restart, ...) with its fields; the control part writes them out as JSON lines (--events).
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
    // Rebuild (run) or take the artifact as it is now (serve), then swap; `done` once the outcome is known:
    // the new generation passed probation, or it failed and what serves now is said. `trigger` names who
    // asked in the reload_start event ("reload", "sighup", "key").
    void request_reload(std::string_view trigger, ReloadCallback done, ReloadProgress progress = {});
    // Serve `artifact_id` (empty: the previous good artifact) again, zero-downtime.
    void request_rollback(std::string_view artifact_id, std::string_view trigger, ReloadCallback done,
                          ReloadProgress progress = {});
    // True while a generation serves (hotswap status --ready).
    bool serving_now() const;

private:
    bool fd_mode() const { return !listeners_.empty(); }
    bool proxy_mode() const { return proxy_ != nullptr; }
    // The new generation starts next to the old one, which stops only once the new one is ready.
    bool overlapping() const { return fd_mode() || proxy_mode(); }
    bool serve_mode() const { return config_.verb == Verb::Serve; }
    // Binaries are checked (owner, permissions, signature) before they run: always in serve mode, and in
    // run mode when --verify-key is given.
    bool checks_binaries() const { return serve_mode() || verify_key_.has_value(); }
    // A server (as opposed to a command that ends on its own): it listens, reports readiness, or the
    // user said --restart on-crash. Probation, rollback and crash restarts apply to servers only.
    bool is_server() const;
    bool restart_on_crash() const;

    // The passes of start(), in order (supervisor.cpp).
    Result<void> prepare_state_dir();
    Result<void> open_listeners();
    Result<void> open_proxy();
    Result<void> open_notify_socket();
    Result<void> choose_readiness();
    Result<void> open_artifact_store();
    void create_builder();
    Result<void> start_watching();

    // Serve mode and binary checks (supervisor_serve.cpp): which file is the artifact, the key, watching it,
    // and taking it into the store once it is whole and passes the checks.
    Result<void> resolve_artifact_source();
    Result<void> load_verify_key();
    Result<void> watch_artifact();
    Result<void> launch_first_artifact();
    void on_artifact_changed(ChangeSet changes);
    void reload_artifact(std::string_view trigger, const ChangeSet& changes);
    Result<Artifact> take_artifact(Duration build_time, const ChangeSet& changes);
    Result<Artifact> take_checked_artifact(Duration build_time, const ChangeSet& changes);
    std::string artifact_shown() const;

    // The upgrade attempt in progress, from reload_start to reload_end (supervisor_upgrade.cpp).
    void begin_upgrade(std::string_view trigger, std::string_view action = "reload");
    void join_upgrade(ReloadCallback done, ReloadProgress progress);
    void upgrade_progress(const std::string& note);
    // A step failed: the attempt ends, unless a newer build or generation is already on its way.
    void upgrade_failed(const std::string& why);
    void finish_upgrade(bool ok, const std::string& message);
    bool newer_on_the_way() const;
    // After a switch: the attempt ends now, or once `g` has passed probation.
    void upgrade_switched(const Generation& g);
    void upgrade_passed_probation(const Generation& g);
    // `g` exited; `action` is what on_exit does about it. Ends the attempt when it was waiting for `g`.
    void upgrade_lost(const Generation& g, ExitAction action, const std::string& how);
    // While a reload's work runs (build, new generation starting, old one draining), the serving
    // generation gets the shortest time slice, so it preempts that work whenever a request wakes it;
    // once the work is over, every generation is back to the kernel's default.
    void favor_serving();
    void favor(Generation& g);
    void unfavor_when_settled();

    // Change → build → artifact → spawn → ready → switch (supervisor_swap.cpp).
    void on_changes(ChangeSet changes);
    void on_build_done(BuildResult result);
    // Takes the build output into the store (when --artifact is set) and reloads onto it.
    void launch_new_build(Duration build_time, const ChangeSet& changes);
    void reload(LaunchTarget target);
    void spawn_generation(LaunchTarget target);
    void on_ready(int id);
    void switch_to(Generation& g);
    void on_ready_timeout(int id);
    void on_notify(const NotifyServer::Message& message);

    // Exits, probation, rollback, crash restarts, leftovers (supervisor_recovery.cpp).
    void on_exit(int id, int wait_status);
    void end_probation(int id);
    void roll_back(const Generation& failed, const std::string& how);
    void schedule_restart(const Generation& crashed, const std::string& how);
    void kill_leftovers(bool everything);
    void mark_artifact(const Generation& g, ArtifactOutcome outcome, std::string reason = {});
    std::optional<LaunchTarget> rollback_target(std::string_view except_id) const;

    // Proxy mode (supervisor_proxy.cpp): each generation's private port, its readiness there, and where the
    // proxy sends new connections.
    Result<void> choose_proxy_readiness();
    Result<void> give_private_port(Generation& g);
    ReadySpec readiness_for(const Generation& g) const;
    void route_to(const Generation& g);
    void unroute(const Generation& g);
    nlohmann::json proxy_status_json() const;

    // Stopping generations and hotswap itself (supervisor_stop.cpp).
    void stop_generation(Generation& g);
    void on_drain_timeout(int id);
    void finish_shutdown_if_done();

    // Shared helpers.
    void advance(Generation& g, GenerationEvent event);
    Generation* find(int id);
    Generation* serving();
    const Generation* serving() const;
    const Generation* starting() const;  // a generation on its way in (starting or ready), if any
    std::string describe_change(const ChangeSet& changes) const;
    std::string still_serving_note();
    std::filesystem::path run_cwd() const;

    void emit(std::string_view event, nlohmann::json fields = nlohmann::json::object()) const {
        if (events_) events_(event, std::move(fields));
    }

    EventLoop& loop_;
    EventSink events_;
    Config config_;
    std::filesystem::path state_dir_;
    std::filesystem::path runtime_dir_;  // private 0700 dir for the notify socket, removed at exit
    std::vector<Listener> listeners_;
    std::optional<Listener> adopted_proxy_;  // systemd's socket for the --proxy address, until open_proxy
    std::vector<std::string> listen_names_;
    std::unique_ptr<NotifyServer> notify_;
    std::unique_ptr<Proxy> proxy_;
    ReadySpec ready_;
    std::string ready_template_;  // proxy mode: --ready with {port}, filled in per generation; empty: none
    std::unique_ptr<Watcher> watcher_;
    std::unique_ptr<Debouncer> debouncer_;
    std::unique_ptr<Builder> builder_;
    std::optional<ArtifactStore> artifacts_;  // set with --artifact, and always in serve mode
    // The binary the command runs, as the command names it and as a file ("" / empty: no artifact).
    std::string artifact_as_written_;
    std::filesystem::path artifact_source_;
    std::optional<MinisignPublicKey> verify_key_;
    std::string last_taken_sha256_;  // serve: the artifact last taken, so an unchanged file is not taken twice
    std::map<int, std::unique_ptr<Generation>> generations_;
    int next_id_ = 1;
    // Restart mode: what to start once the old generation is gone.
    std::optional<LaunchTarget> launch_when_stopped_;
    bool warned_artifact_not_in_command_ = false;

    RestartBackoff backoff_;
    EventLoop::TimerId restart_timer_ = 0;
    int restarts_ = 0;

    // The upgrade attempt: open between reload_start and reload_end; whoever asked waits for its end.
    struct Waiter {
        ReloadCallback done;
        ReloadProgress progress;
    };
    std::vector<Waiter> waiters_;
    bool upgrading_ = false;
    std::string upgrade_trigger_;
    Clock::time_point upgrade_started_{};
    int probation_awaited_ = 0;        // the generation whose probation ends the attempt
    std::string rollback_reason_;      // set while the attempt's generation is being rolled back
    std::optional<Duration> last_build_time_;
    Clock::time_point reload_started_{};
    nlohmann::json last_reload_ = nlohmann::json::object();

    bool shutting_down_ = false;
    int shutdown_checks_ = 0;
    std::set<pid_t> killed_leftovers_;  // SIGKILLed, possibly not reaped yet
};

}  // namespace hotswap
