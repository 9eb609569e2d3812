#pragma once
// ControlPlane: everything that lets the outside world see and steer a running supervisor, in one place:
// the control socket (hotswap status|reload|rollback|history|stop), the --events stream and sd_notify to
// the service manager. Every requested upgrade (control socket, SIGHUP, the r/b keys) goes through
// reload()/rollback() here, so the manager always sees RELOADING=1 … READY=1 around it.

#include <chrono>
#include <filesystem>
#include <memory>
#include <string_view>

#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "control/control_server.hpp"
#include "control/event_stream.hpp"
#include "control/systemd_notifier.hpp"
#include "core/event_loop.hpp"
#include "supervise/supervisor.hpp"

namespace hotswap {

class ControlPlane {
public:
    // Opens the --events stream and the control socket of config.root and becomes the supervisor's event
    // sink, which hands every event to `console` (the lines a person reads), the stream and the service
    // manager, in that order. An Error means hotswap cannot run (another hotswap supervises this directory,
    // --events unwritable).
    static Result<std::unique_ptr<ControlPlane>> create(EventLoop& loop, Supervisor& supervisor, const Config& config,
                                                        EventSink console);
    ControlPlane(EventLoop& loop, Supervisor& supervisor, std::filesystem::path root);
    ~ControlPlane();
    ControlPlane(const ControlPlane&) = delete;
    ControlPlane& operator=(const ControlPlane&) = delete;

    // `trigger` says who asked ("control", "signal", "key"); it shows in events and in STATUS=. `progress`
    // hears what the reload waits for (the end of probation, a rollback) before `done` has the outcome.
    void reload(std::string_view trigger, ReloadCallback done, ReloadProgress progress = {});
    void rollback(std::string_view artifact_id, std::string_view trigger, ReloadCallback done,
                  ReloadProgress progress = {});
    // SIGINT/SIGTERM/`hotswap stop`/q: STOPPING=1, then the supervisor drains everything.
    void stop(int signo);

    const std::filesystem::path& socket_path() const;

private:
    void on_event(const Event& event);
    void handle(const ControlRequest& request, std::shared_ptr<ControlServer::Reply> reply);
    nlohmann::json status_reply() const;
    nlohmann::json history_reply() const;
    ReloadCallback finish_reload(ReloadCallback done);

    EventLoop& loop_;
    Supervisor& supervisor_;
    std::filesystem::path root_;
    bool artifacts_kept_ = true;  // false: no --artifact, so there is no history to show
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    EventSink console_;
    std::unique_ptr<EventStream> events_;
    SystemdNotifier notifier_;
    std::unique_ptr<ControlServer> server_;
    std::shared_ptr<ControlPlane*> alive_ = std::make_shared<ControlPlane*>(this);
};

// The reply to a reload or rollback request: {"ok", "message", "generation"} (+ "error", "code" when not ok).
nlohmann::json reload_reply(const ReloadOutcome& outcome);

}  // namespace hotswap
