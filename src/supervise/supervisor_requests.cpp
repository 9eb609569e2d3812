// What starts and stops the supervisor from outside: start() and its passes, the control plane's requests
// (status, history, reload, rollback) and shutdown, which always finishes (DESIGN.md §3): every generation
// stopped with the stop signal, SIGKILL after drain_timeout, every leftover killed, exit 0.

#include <signal.h>
#include <unistd.h>

#include <fmt/core.h>

#include "supervise/app_environment.hpp"
#include "supervise/supervisor.hpp"
#include "ui/console.hpp"

namespace hotswap {

namespace {
// How often, and how many times, shutdown looks again for killed leftovers to be reaped.
constexpr Duration kShutdownPoll{20};
constexpr int kShutdownPolls = 250;

}  // namespace

Supervisor::Supervisor(EventLoop& loop, Config config, Drivers drivers)
    : loop_(loop),
      drivers_(std::move(drivers)),
      config_(std::move(config)),
      traffic_(loop_, config_, events_),
      artifacts_(config_),
      generations_(events_, config_.stop_signal, config_.drain_timeout),
      upgrade_(events_, config_.probation,
               {[this] { return generations_.serving(); }, [this] { unfavor_when_settled(); }}),
      promotion_(loop_, config_, traffic_, events_),
      leftovers_(events_) {
    events_ = [this](const Event& e) {
        traffic_.on_event(e);
        if (outer_events_) outer_events_(e);
    };
}

Supervisor::~Supervisor() = default;

Result<void> Supervisor::start() {
    // 1. The state directory (.hotswap/) for changed-file lists and artifacts, and the private one for the
    //    notify socket.
    HS_TRY_VOID(dirs_.open(config_));
    // 2. The listening sockets, bound once for every generation (or adopted from systemd); in proxy mode
    //    the public socket hotswap accepts on and forwards from.
    HS_TRY_VOID(traffic_.open_listeners());
    HS_TRY_VOID(traffic_.open_proxy());
    // The HTTP front lets a stopping generation's requests through it finish before it is signalled.
    if (traffic_.front_mode())
        generations_.set_drain_first([this](const Generation& g, Duration timeout, std::function<void()> then) {
            traffic_.drain(g, timeout, std::move(then));
        });
    // 3. The notify socket generations report READY=1 to.
    HS_TRY_VOID(open_notify_socket());
    // 4. The readiness rule, with a hint when it is the weak default.
    HS_TRY_VOID(traffic_.choose_readiness());
    // 5. The artifact (--artifact; serve: the program the command runs), the key binaries must be signed
    //    with, and the store builds are kept in.
    HS_TRY_VOID(artifacts_.open(dirs_.state()));
    // 6. The builder, if there is a build (serve has none).
    create_builder();
    // 7. The watcher, so that no change made during the first build is missed (serve: the artifact only).
    if (serve_mode()) {
        HS_TRY(watch, drivers_.watch_artifact(loop_, config_, artifacts_.source(), artifacts_.verifies_signatures(),
                                            [this](ChangeSet c) { on_artifact_replaced(std::move(c)); }));
        watch_ = std::move(watch);
        Console::get().info(fmt::format("upgrades when {} is replaced, on SIGHUP, or on hotswap reload", artifacts_.shown()),
                            Tone::Dim);
    } else {
        HS_TRY(watch, drivers_.watch_sources(loop_, config_, artifacts_.source(), [this](ChangeSet c) { on_changes(std::move(c)); }));
        watch_ = std::move(watch);
    }
    // 8. The first build, or straight to the app (serve: a binary refused now stops hotswap, exit 1).
    reload_started_ = Clock::now();
    if (serve_mode()) {
        auto artifact = artifacts_.take(Duration(0), ChangeSet{});
        if (!artifact) {
            emit_event(events_, event::Refused{.artifact = artifacts_.shown(),
                                               .reason = artifact.error().to_string(),
                                               .at_start = true});
            return artifact.take_error();
        }
        LaunchTarget target;
        target.reason = LaunchReason::Reload;
        target.artifact_id = artifact->id;
        target.artifact_path = artifact->path;
        backoff_.reset();
        reload(std::move(target));
        return {};
    }
    build_or_launch(ChangeSet{}, "start");
    return {};
}

Result<void> Supervisor::open_notify_socket() {
    HS_TRY(server, NotifyServer::create(loop_, dirs_.notify_socket().string(),
                                        [this](const NotifyServer::Message& m) { on_notify(m); }));
    notify_ = std::move(server);
    return {};
}

void Supervisor::create_builder() {
    if (config_.build_cmd.empty() || serve_mode()) return;
    BuildOptions options;
    options.cmd = config_.build_cmd;
    options.timeout = config_.build_timeout;
    options.nice = config_.build_nice;
    options.idle = config_.build_idle;
    options.cwd = config_.root;
    options.state_dir = dirs_.state();
    options.env = inherited_environment();
    options.unblock = &loop_.blocked_signals();
    builder_ = drivers_.builder(loop_, std::move(options), [this](BuildResult r) { on_build_done(std::move(r)); });
}

// ---- the control plane's requests

nlohmann::json Supervisor::status_json() const {
    const Generation* s = generations_.serving();
    nlohmann::json status = {{"mode", traffic_.mode()},
                             {"serving", s != nullptr},
                             {"serving_generation", s ? s->id : 0},
                             {"generations", generations_.status_json()},
                             {"listeners", traffic_.listeners_json()},
                             {"building", builder_ && builder_->busy()},
                             {"restarts", restarts_},
                             {"restart_pending", restart_timer_.armed()},
                             {"last_reload", last_reload_}};
    if (traffic_.proxy_mode()) status["proxy"] = traffic_.proxy_status_json();
    if (traffic_.front_mode()) status["front"] = traffic_.front_status_json();
    if (auto promotion = promotion_.status_json(); !promotion.is_null()) status["promotion"] = std::move(promotion);
    return status;
}

nlohmann::json Supervisor::history_json() const {
    std::vector<std::pair<int, std::string>> running;
    for (const auto& [id, g] : generations_.all()) running.emplace_back(id, g->launch.artifact_id);
    return artifacts_.history_json(running);
}

void Supervisor::request_reload(std::string_view trigger, ReloadCallback done, ReloadProgress progress) {
    if (shutting_down_) {
        if (done) done(ReloadOutcome{false, "hotswap is stopping", 0});
        return;
    }
    const bool joined = upgrade_.open();
    upgrade_.join(std::move(done), std::move(progress));
    Console::get().info("reload requested", Tone::Dim);
    // serve: the attempt in progress takes the artifact as it is; its outcome answers this request too.
    if (serve_mode() && joined) return;
    begin_upgrade(trigger);
    if (serve_mode()) {
        last_build_time_.reset();
        launch_new_build(Duration(0), ChangeSet{});
    } else {
        build_or_launch(ChangeSet{{Change{config_.root.string(), ChangeKind::Rescan}}}, "request");
    }
}

void Supervisor::request_rollback(std::string_view artifact_id, std::string_view trigger, ReloadCallback done,
                                  ReloadProgress progress) {
    auto refuse = [&](std::string why) {
        Console::get().error(fmt::format("✗ rollback: {}", why));
        if (done) done(ReloadOutcome{false, std::move(why), generations_.serving_id()});
    };
    if (shutting_down_) return refuse("hotswap is stopping");
    const Generation* current = generations_.serving();
    auto launch = artifacts_.requested_rollback(artifact_id, current ? std::string_view(current->launch.artifact_id) : "");
    if (!launch) return refuse(launch.error().to_string());
    begin_upgrade(trigger, "rollback");
    upgrade_.join(std::move(done), std::move(progress));
    emit_event(events_, event::Rollback{.from = current ? current->launch.artifact_id : "", .to = launch->artifact_id,
                                        .reason = "requested"});
    last_build_time_.reset();
    reload(std::move(*launch));
}

// ---- stopping hotswap

void Supervisor::shutdown(int signo) {
    if (shutting_down_) {
        Console::get().warn("second stop request: killing everything now");
        generations_.kill_all();
        leftovers_.reap(generations_, builder_ && builder_->busy() ? builder_->pid() : 0, true);
        builder_.reset();
        loop_.stop(0);
        return;
    }
    shutting_down_ = true;
    Console::get().info(fmt::format("{} received: stopping", signal_name(signo)), Tone::Dim);
    restart_timer_.cancel();
    launch_when_stopped_.reset();
    promotion_.cancel();
    traffic_.stop_routing();
    if (builder_) builder_->abort();
    generations_.stop_all("shutdown");
    upgrade_.finish(false, "hotswap is stopping");
    finish_shutdown_if_done();
}

void Supervisor::finish_shutdown_if_done() {
    if (!generations_.empty()) return;
    if (builder_ && builder_->busy()) {
        // The build's exit arrives later; check again then.
        shutdown_poll_ = loop_.after(kShutdownPoll, [this] { finish_shutdown_if_done(); });
        return;
    }
    // Orphans that escaped their generation's group, traced or not: none may outlive hotswap. Killed ones
    // are reaped by the event loop; look again until none is left (bounded: SIGKILL cannot be refused).
    if (!LeftoverReaper::children_left().empty() && ++shutdown_checks_ < kShutdownPolls) {
        leftovers_.reap(generations_, 0, true);
        shutdown_poll_ = loop_.after(kShutdownPoll, [this] { finish_shutdown_if_done(); });
        return;
    }
    Console::get().info("stopped", Tone::Dim);
    loop_.stop(0);
}

// ---- shared helpers

bool Supervisor::is_server() const {
    return traffic_.overlapping() || !traffic_.readiness().is_default || config_.restart == RestartPolicy::OnCrash;
}

bool Supervisor::restart_on_crash() const {
    if (config_.restart == RestartPolicy::Never) return false;
    return is_server();
}

std::filesystem::path Supervisor::run_cwd() const {
    return config_.cwd.empty() ? config_.root : (config_.root / config_.cwd).lexically_normal();
}

std::string Supervisor::describe_change(const ChangeSet& changes) const {
    if (changes.empty()) return "nothing";
    auto rel = std::filesystem::path(changes.changes.front().path).lexically_relative(config_.root);
    std::string first = rel.empty() || rel.string().starts_with("..") ? changes.changes.front().path : rel.string();
    if (changes.changes.front().kind == ChangeKind::Rescan) first = "the whole tree (rescan)";
    if (changes.changes.size() == 1) return first;
    return fmt::format("{} and {} more", first, changes.changes.size() - 1);
}

}  // namespace hotswap
