#include "supervise/supervisor.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>

#include <fmt/core.h>

#include "ready/probe.hpp"
#include "supervise/app_environment.hpp"
#include "ui/console.hpp"

namespace hotswap {

namespace {
Duration since(Clock::time_point start) { return std::chrono::duration_cast<Duration>(Clock::now() - start); }
}  // namespace

Supervisor::Supervisor(EventLoop& loop, Config config) : loop_(loop), config_(std::move(config)) {}

Supervisor::~Supervisor() {
    for (auto& [id, g] : generations_) {
        loop_.cancel_timer(g->ready_timer);
        loop_.cancel_timer(g->kill_timer);
        if (g->process.running()) loop_.unwatch_child(g->process.pid());
    }
    generations_.clear();  // each Process kills what is left of its group
    notify_.reset();
    std::error_code ec;
    if (!runtime_dir_.empty()) std::filesystem::remove_all(runtime_dir_, ec);
}

Result<void> Supervisor::start() {
    // 1. The state directory (.hotswap/) for changed-file lists and, later, artifacts.
    HS_TRY_VOID(prepare_state_dir());
    // 2. The listening sockets, bound once for every generation (or adopted from systemd).
    HS_TRY_VOID(open_listeners());
    // 3. The notify socket generations report READY=1 to.
    HS_TRY_VOID(open_notify_socket());
    // 4. The readiness rule.
    if (!config_.ready.empty()) {
        auto spec = parse_ready_spec(config_.ready);
        if (!spec) return spec.error().with_context("--ready");
        ready_ = *spec;
    }
    if (fd_mode() && config_.ready.empty())
        Console::get().info(fmt::format("readiness: waiting {} after start; for an exact signal use --ready notify "
                                        "(sd_notify READY=1), http:URL, tcp:ADDR or log:REGEX",
                                        format_duration(ready_.delay)),
                            Tone::Dim);
    // 5. The builder, if there is a build.
    if (!config_.build_cmd.empty()) {
        BuildOptions options;
        options.cmd = config_.build_cmd;
        options.timeout = config_.build_timeout;
        options.cwd = config_.root;
        options.state_dir = state_dir_;
        options.env = inherited_environment();
        options.unblock = &loop_.blocked_signals();
        builder_ = std::make_unique<Builder>(loop_, std::move(options),
                                             [this](BuildResult r) { on_build_done(std::move(r)); });
    }
    // 6. The watcher, so that no change made during the first build is missed.
    HS_TRY_VOID(start_watching());
    // 7. The first build, or straight to the app.
    reload_started_ = Clock::now();
    if (builder_) {
        Console::get().info(fmt::format("building: {}", config_.build_cmd), Tone::Dim);
        builder_->request(ChangeSet{});
    } else {
        spawn_generation();
    }
    return {};
}

Result<void> Supervisor::prepare_state_dir() {
    state_dir_ = config_.root / ".hotswap";
    if (::mkdir(state_dir_.c_str(), 0700) != 0 && errno != EEXIST)
        return Error::from_errno("mkdir", state_dir_.string(), errno);
    return {};
}

Result<void> Supervisor::open_listeners() {
    HS_TRY(adopted, adopt_systemd_listeners());
    if (!adopted.empty()) {
        for (auto& l : adopted) {
            Console::get().info(fmt::format("listening on {} (socket from systemd)", l.address().display()));
            listen_names_.push_back(l.address().name);
            listeners_.push_back(std::move(l));
        }
        return {};
    }
    for (const auto& spec : config_.listen) {
        std::string text = spec.name.empty() ? spec.address : fmt::format("{}={}", spec.name, spec.address);
        auto address = parse_listen_address(text);
        if (!address) return address.error().with_context("--listen");
        HS_TRY(listener, Listener::bind(*address));
        Console::get().info(fmt::format("listening on {}", listener.address().display()));
        listen_names_.push_back(listener.address().name);
        listeners_.push_back(std::move(listener));
    }
    return {};
}

Result<void> Supervisor::open_notify_socket() {
    // A private directory, so no other user can send READY=1 (sockets are reached by path).
    const char* base = std::getenv("XDG_RUNTIME_DIR");
    std::string templ = fmt::format("{}/hotswap-XXXXXX", base && *base ? base : "/tmp");
    if (!::mkdtemp(templ.data())) return Error::from_errno("mkdtemp", templ, errno);
    runtime_dir_ = templ;
    HS_TRY(server, NotifyServer::create(loop_, (runtime_dir_ / "notify").string(),
                                        [this](const NotifyServer::Message& m) { on_notify(m); }));
    notify_ = std::move(server);
    return {};
}

Result<void> Supervisor::start_watching() {
    WatchOptions options;
    options.roots.clear();
    for (const auto& p : config_.watch_paths) options.roots.push_back((config_.root / p).lexically_normal().string());
    options.extensions = config_.extensions;
    options.ignore = config_.ignore;
    if (config_.poll) options.poll_interval = *config_.poll;
    options.on_warning = [](std::string_view text) { Console::get().warn(text); };
    // Seams for the tests and benchmarks only: a lower watch limit than the kernel's (which needs root to
    // lower, for everyone), and the debounce strategy to compare.
    if (const char* max = std::getenv("HOTSWAP_MAX_WATCHES")) options.max_watches = std::strtoul(max, nullptr, 10);
    DebounceOptions debounce;
    debounce.settle = config_.debounce;
    debounce.max_wait = std::max(config_.debounce * 10, Duration(1000));
    if (const char* strategy = std::getenv("HOTSWAP_DEBOUNCE")) (void)parse_debounce_strategy(strategy, debounce.strategy);
    debouncer_ = std::make_unique<Debouncer>(loop_, debounce, [this](ChangeSet c) { on_changes(std::move(c)); });
    HS_TRY(watcher, make_watcher(loop_, options, [this](std::vector<Change> c) { debouncer_->add(std::move(c)); }));
    watcher_ = std::move(watcher);
    HS_TRY_VOID(watcher_->start());
    auto stats = watcher_->stats();
    Console::get().info(fmt::format("watching {} directories, {} files in {}", stats.directories, stats.files,
                                    format_duration(stats.setup_time)),
                        Tone::Dim);
    return {};
}

std::string Supervisor::describe_change(const ChangeSet& changes) const {
    if (changes.empty()) return "nothing";
    std::error_code ec;
    auto rel = std::filesystem::path(changes.changes.front().path).lexically_relative(config_.root);
    std::string first = rel.empty() || rel.string().starts_with("..") ? changes.changes.front().path : rel.string();
    if (changes.changes.front().kind == ChangeKind::Rescan) first = "the whole tree (rescan)";
    if (changes.changes.size() == 1) return first;
    return fmt::format("{} and {} more", first, changes.changes.size() - 1);
}

void Supervisor::on_changes(ChangeSet changes) {
    if (shutting_down_ || changes.empty()) return;
    Console::get().info(fmt::format("changed: {}", describe_change(changes)), Tone::Dim);
    reload_started_ = Clock::now();
    if (builder_) builder_->request(std::move(changes));
    else reload();
}

std::string Supervisor::still_serving_note() {
    Generation* g = serving();
    if (!g) return "nothing is running; fix it and save to try again";
    return fmt::format("{} is still serving the previous version", g->label());
}

void Supervisor::on_build_done(BuildResult result) {
    if (shutting_down_) return;
    if (result.outcome != BuildOutcome::Succeeded) {
        Console::get().error(fmt::format("✗ {} after {} · {}", result.message, format_duration(result.duration),
                                         still_serving_note()));
        return;
    }
    last_build_time_ = result.duration;
    if (config_.command.empty()) {
        Console::get().info(fmt::format("✓ built in {}", format_duration(result.duration)), Tone::Good);
        return;
    }
    reload();
}

void Supervisor::reload() {
    if (shutting_down_) return;
    // A generation still starting is superseded by the newer build.
    for (auto& [id, g] : generations_)
        if (g->state == GenerationState::Starting || g->state == GenerationState::Ready) {
            Console::get().info(fmt::format("{} is superseded by a newer build before it was ready", g->label()), Tone::Dim);
            g->state = GenerationState::Failed;
            stop_generation(*g);
        }
    if (fd_mode()) {
        spawn_generation();
        return;
    }
    // Restart mode: the port (if any) belongs to the app, so the old one must be gone first.
    Generation* old = serving();
    if (old) {
        spawn_when_stopped_ = true;
        stop_generation(*old);
        return;
    }
    bool draining = false;
    for (auto& [id, g] : generations_) draining = draining || g->state == GenerationState::Draining;
    if (draining) spawn_when_stopped_ = true;
    else spawn_generation();
}

void Supervisor::spawn_generation() {
    if (shutting_down_ || config_.command.empty()) return;
    auto g = std::make_unique<Generation>();
    g->id = next_id_++;
    g->artifact = config_.command.front();

    auto pipe = make_pipe();
    if (!pipe) {
        Console::get().error(fmt::format("✗ cannot start the app: {}", pipe.error().to_string()));
        return;
    }
    AppEnvironment env;
    env.extra = config_.env;
    env.listen_names = listen_names_;
    if (notify_) env.notify_socket = notify_->path();
    env.generation = g->id;

    SpawnSpec spec;
    spec.argv = config_.command;
    spec.env = build_app_environment(env);
    spec.cwd = (config_.cwd.empty() ? config_.root : config_.root / config_.cwd).string();
    for (const auto& l : listeners_) spec.listen_fds.push_back(l.fd());
    spec.set_listen_pid = fd_mode() && config_.listen_pid;
    spec.output_fd = pipe->write.get();
    spec.unblock = &loop_.blocked_signals();

    auto process = Process::spawn(spec);
    pipe->write.reset();
    if (!process) {
        Console::get().error(fmt::format("✗ {}: {} · {}", g->label(), process.error().to_string(), still_serving_note()));
        return;
    }
    g->process = std::move(*process);
    g->spawned_at = Clock::now();
    const int id = g->id;
    Generation* raw = g.get();
    auto reader = OutputReader::create(loop_, std::move(pipe->read), [this, raw](std::string_view line) {
        Console::get().child_line(Source::App, raw->id, line);
        raw->remember(line);
        if (raw->probe) raw->probe->on_output_line(line);
    });
    if (reader) g->output = std::move(*reader);
    if (auto r = loop_.watch_child(g->process.pid(), g->process.pidfd(), [this, id](int st) { on_exit(id, st); }); !r)
        Console::get().warn(fmt::format("{}: {}", g->label(), r.error().to_string()));
    generations_[id] = std::move(g);
    Console::get().debug(fmt::format("{} started (pid {})", raw->label(), raw->process.pid()));

    if (!fd_mode()) {
        // Restart mode has no overlap to protect: the app serves as soon as it runs.
        raw->state = GenerationState::Serving;
        std::string built = last_build_time_ ? fmt::format("built in {} · ", format_duration(*last_build_time_)) : "";
        Console::get().info(fmt::format("✓ {} started · {}restarted in {}", raw->label(), built,
                                        format_duration(since(reload_started_) - last_build_time_.value_or(Duration(0)))),
                            Tone::Good);
        last_build_time_.reset();
        return;
    }
    raw->state = GenerationState::Starting;
    raw->probe = make_probe(loop_, ready_, ProbeTarget{raw->process.pid()});
    raw->probe->start([this, id] { loop_.post([this, id] { on_ready(id); }); });
    raw->ready_timer = loop_.add_timer(config_.ready_timeout, [this, id] { on_ready_timeout(id); });
}

void Supervisor::on_ready(int id) {
    Generation* g = find(id);
    if (!g || g->state != GenerationState::Starting || shutting_down_) return;
    loop_.cancel_timer(g->ready_timer);
    g->ready_timer = 0;
    g->ready_at = Clock::now();
    // The switch: the new generation already accepts from the shared socket; the old one may now stop.
    Generation* old = serving();
    g->state = GenerationState::Serving;
    std::string built = last_build_time_ ? fmt::format("built in {} · ", format_duration(*last_build_time_)) : "";
    Console::get().info(fmt::format("✓ {} serving · {}ready in {}{}", g->label(), built,
                                    format_duration(g->ready_at - g->spawned_at),
                                    old ? fmt::format(" · {} draining", old->label()) : ""),
                        Tone::Good);
    last_build_time_.reset();
    if (old) stop_generation(*old);
}

void Supervisor::on_ready_timeout(int id) {
    Generation* g = find(id);
    if (!g || g->state != GenerationState::Starting) return;
    g->ready_timer = 0;
    g->state = GenerationState::Failed;
    Console::get().error(fmt::format("✗ {} was not ready within {} · {}", g->label(),
                                     format_duration(config_.ready_timeout), still_serving_note()));
    stop_generation(*g);
}

void Supervisor::stop_generation(Generation& g) {
    if (g.stop_requested_at != Clock::time_point{}) return;
    if (g.state != GenerationState::Failed) g.state = GenerationState::Draining;
    g.stop_requested_at = Clock::now();
    loop_.cancel_timer(g.ready_timer);
    g.ready_timer = 0;
    g.probe.reset();
    // The whole group: a `sh -c` wrapper or a worker pool gets the signal too, as with Ctrl-C in a terminal.
    (void)g.process.signal_group(config_.stop_signal);
    const int id = g.id;
    g.kill_timer = loop_.add_timer(config_.drain_timeout, [this, id] {
        Generation* g = find(id);
        if (!g) return;
        g->kill_timer = 0;
        Console::get().warn(fmt::format("{} did not stop within {} of {}: killing it", g->label(),
                                        format_duration(config_.drain_timeout), signal_name(config_.stop_signal)));
        (void)g->process.signal_group(SIGKILL);
    });
}

void Supervisor::on_exit(int id, int wait_status) {
    auto it = generations_.find(id);
    if (it == generations_.end()) return;
    std::unique_ptr<Generation> g = std::move(it->second);
    generations_.erase(it);
    g->process.mark_exited();
    g->exit_status = wait_status;
    if (g->output) g->output->drain();
    // Grandchildren left in the group die with the generation.
    (void)g->process.signal_group(SIGKILL);
    g->process.release();
    loop_.cancel_timer(g->ready_timer);
    loop_.cancel_timer(g->kill_timer);

    const std::string how = describe_wait_status(wait_status);
    switch (g->state) {
        case GenerationState::Starting:
        case GenerationState::Ready:
            Console::get().error(fmt::format("✗ {} exited before it was ready ({}) · {}", g->label(), how,
                                             still_serving_note()));
            break;
        case GenerationState::Serving:
            if (!shutting_down_)
                Console::get().error(fmt::format("✗ {} exited ({}) · it starts again at the next change", g->label(), how));
            break;
        case GenerationState::Draining:
            Console::get().debug(fmt::format("{} stopped after {} ({})", g->label(),
                                             format_duration(since(g->stop_requested_at)), how));
            break;
        case GenerationState::Failed:
        case GenerationState::Gone:
            break;
    }
    g->state = GenerationState::Gone;

    if (shutting_down_) {
        finish_shutdown_if_done();
        return;
    }
    if (spawn_when_stopped_) {
        bool draining = false;
        for (auto& [gid, other] : generations_) draining = draining || other->state == GenerationState::Draining;
        if (!draining) {
            spawn_when_stopped_ = false;
            spawn_generation();
        }
    }
}

void Supervisor::on_notify(const NotifyServer::Message& message) {
    pid_t group = process_group_of(message.sender);
    for (auto& [id, g] : generations_) {
        if (g->process.pid() != group) continue;
        if (message.status) Console::get().info(fmt::format("{} status: {}", g->label(), *message.status), Tone::Dim);
        if (message.ready && g->probe) g->probe->on_notify_ready();
        return;
    }
    Console::get().debug(fmt::format("ignored a notify message from pid {}: not part of any generation", message.sender));
}

void Supervisor::shutdown(int signo) {
    if (shutting_down_) {
        Console::get().warn("second stop request: killing everything now");
        for (auto& [id, g] : generations_) (void)g->process.signal_group(SIGKILL);
        if (builder_) builder_.reset();
        loop_.stop(0);
        return;
    }
    shutting_down_ = true;
    Console::get().info(fmt::format("{} received: stopping", signal_name(signo)), Tone::Dim);
    if (builder_) builder_->abort();
    for (auto& [id, g] : generations_) stop_generation(*g);
    finish_shutdown_if_done();
}

void Supervisor::finish_shutdown_if_done() {
    if (!generations_.empty()) return;
    if (builder_ && builder_->busy()) {
        // The build's exit arrives later; check again then.
        loop_.add_timer(Duration(20), [this] { finish_shutdown_if_done(); });
        return;
    }
    Console::get().info("stopped", Tone::Dim);
    loop_.stop(0);
}

nlohmann::json Supervisor::status_json() const {
    nlohmann::json generations = nlohmann::json::array();
    for (const auto& [id, g] : generations_)
        generations.push_back({{"id", id}, {"state", to_string(g->state)}, {"pid", g->process.pid()},
                               {"artifact", g->artifact}});
    return {{"generations", generations}, {"serving", serving_now()}};
}

nlohmann::json Supervisor::history_json() const { return nlohmann::json::array(); }

void Supervisor::request_reload(ReloadCallback done) {
    // Until reloads report their outcome, this starts one and answers at once.
    on_changes(ChangeSet{{Change{config_.root.string(), ChangeKind::Rescan}}});
    if (done) done(ReloadOutcome{true, "reload started", 0});
}

void Supervisor::request_rollback(std::string_view artifact_id, ReloadCallback done) {
    (void)artifact_id;
    if (done) done(ReloadOutcome{false, "rollback is not available yet", 0});
}

bool Supervisor::serving_now() const {
    for (const auto& [id, g] : generations_)
        if (g->state == GenerationState::Serving) return true;
    return false;
}

Generation* Supervisor::find(int id) {
    auto it = generations_.find(id);
    return it == generations_.end() ? nullptr : it->second.get();
}

Generation* Supervisor::serving() {
    for (auto& [id, g] : generations_)
        if (g->state == GenerationState::Serving) return g.get();
    return nullptr;
}

}  // namespace hotswap
