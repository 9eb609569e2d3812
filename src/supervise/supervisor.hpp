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
#include <vector>

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

    EventLoop& loop_;
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
