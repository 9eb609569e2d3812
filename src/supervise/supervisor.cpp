#include "supervise/supervisor.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>

#include <fmt/core.h>

#include "ready/http_url.hpp"
#include "ready/probe.hpp"
#include "supervise/app_environment.hpp"
#include "ui/console.hpp"

namespace hotswap {

Supervisor::Supervisor(EventLoop& loop, Config config) : loop_(loop), config_(std::move(config)) {}

Supervisor::~Supervisor() {
    loop_.cancel_timer(restart_timer_);
    for (auto& [id, g] : generations_) {
        loop_.cancel_timer(g->ready_timer);
        loop_.cancel_timer(g->kill_timer);
        loop_.cancel_timer(g->probation_timer);
        if (g->process.running()) loop_.unwatch_child(g->process.pid());
    }
    generations_.clear();  // each Process kills what is left of its group
    notify_.reset();
    std::error_code ec;
    if (!runtime_dir_.empty()) std::filesystem::remove_all(runtime_dir_, ec);
}

Result<void> Supervisor::start() {
    // 1. The state directory (.hotswap/) for changed-file lists and artifacts.
    HS_TRY_VOID(prepare_state_dir());
    // 2. The listening sockets, bound once for every generation (or adopted from systemd).
    HS_TRY_VOID(open_listeners());
    // 2b. Proxy mode: the public socket hotswap accepts on and forwards from.
    HS_TRY_VOID(open_proxy());
    // 3. The notify socket generations report READY=1 to.
    HS_TRY_VOID(open_notify_socket());
    // 4. The readiness rule, with a hint when it is the weak default.
    HS_TRY_VOID(choose_readiness());
    // 5. The artifact (--artifact; serve: the program the command runs), the key binaries must be signed
    //    with, and the store builds are kept in.
    HS_TRY_VOID(resolve_artifact_source());
    HS_TRY_VOID(load_verify_key());
    HS_TRY_VOID(open_artifact_store());
    // 6. The builder, if there is a build (serve has none).
    create_builder();
    // 7. The watcher, so that no change made during the first build is missed (serve: the artifact only).
    HS_TRY_VOID(serve_mode() ? watch_artifact() : start_watching());
    // 8. The first build, or straight to the app (serve: a binary refused now stops hotswap).
    reload_started_ = Clock::now();
    if (serve_mode()) return launch_first_artifact();
    if (builder_) {
        Console::get().info(fmt::format("building: {}", config_.build_cmd), Tone::Dim);
        emit("build_start", {{"reason", "start"}});
        builder_->request(ChangeSet{});
    } else {
        launch_new_build(Duration(0), ChangeSet{});
    }
    return {};
}

Result<void> Supervisor::choose_readiness() {
    if (proxy_mode()) {
        HS_TRY_VOID(choose_proxy_readiness());
    } else if (config_.ready.find("{port}") != std::string::npos) {
        return Error::message("--ready: {port} stands for a generation's private port, which exists only in proxy "
                              "mode; add --proxy ADDR or write the port number");
    } else if (!config_.ready.empty()) {
        auto spec = parse_ready_spec(config_.ready);
        if (!spec) return spec.error().with_context("--ready");
        ready_ = *spec;
    }
    if (fd_mode() && ready_.is_default)
        Console::get().info(fmt::format("readiness: waiting {} after start; for an exact signal use --ready notify "
                                        "(sd_notify READY=1), http:URL, tcp:ADDR or log:REGEX",
                                        format_duration(ready_.delay)),
                            Tone::Dim);
    // A probe aimed at a socket every generation shares is answered by the old generation (http) or by the
    // kernel's accept queue (tcp): it would call a new generation ready before it is.
    if (fd_mode() && (ready_.kind == ReadyKind::Http || ready_.kind == ReadyKind::Tcp)) {
        std::optional<uint16_t> port;
        if (ready_.kind == ReadyKind::Http) {
            if (auto url = parse_http_url(ready_.url)) port = url->port;
        } else if (auto address = parse_listen_address(ready_.address); address && address->kind == ListenAddress::Kind::Tcp) {
            port = address->port;
        }
        for (const auto& l : listeners_)
            if (port && l.address().kind == ListenAddress::Kind::Tcp && l.bound_port() == *port)
                Console::get().warn(fmt::format(
                    "--ready {}: port {} is the shared listener, where the running generation (or the kernel) answers "
                    "for the new one; probe a port only the new generation opens, or use --ready notify",
                    to_string(ready_), *port));
    }
    return {};
}

Result<void> Supervisor::open_artifact_store() {
    if (artifact_source_.empty()) return {};
    auto store = ArtifactStore::open(state_dir_ / "artifacts", config_.artifacts_keep);
    if (!store) return store.error().with_context("--artifact");
    artifacts_.emplace(std::move(*store));
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
    options.state_dir = state_dir_;
    options.env = inherited_environment();
    options.unblock = &loop_.blocked_signals();
    builder_ = std::make_unique<Builder>(loop_, std::move(options),
                                         [this](BuildResult r) { on_build_done(std::move(r)); });
}

Result<void> Supervisor::prepare_state_dir() {
    // A service's state lives where systemd's StateDirectory= says (the working directory of a service is
    // often / or read-only); otherwise in the project.
    const char* systemd_state = std::getenv("STATE_DIRECTORY");
    if (serve_mode() && systemd_state && *systemd_state) {
        std::string_view first(systemd_state);
        state_dir_ = std::string(first.substr(0, first.find(':')));
        return {};
    }
    state_dir_ = config_.root / ".hotswap";
    if (::mkdir(state_dir_.c_str(), 0700) != 0 && errno != EEXIST)
        return Error::from_errno("mkdir", state_dir_.string(), errno);
    return {};
}

Result<void> Supervisor::open_listeners() {
    HS_TRY(adopted, adopt_systemd_listeners());
    // Proxy mode: the socket systemd holds for the --proxy address is the one hotswap accepts on itself
    // (open_proxy takes it); it is not passed on, since generations bind their private $PORT.
    if (!config_.proxy.empty()) {
        auto proxy_address = parse_listen_address(config_.proxy);
        for (auto it = adopted.begin(); proxy_address && it != adopted.end(); ++it)
            if (it->address().display() == proxy_address->display()) {
                adopted_proxy_ = std::move(*it);
                adopted.erase(it);
                break;
            }
    }
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
    if (!artifact_source_.empty()) options.ignore_paths.push_back(artifact_source_.string());
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

bool Supervisor::is_server() const {
    return overlapping() || !ready_.is_default || config_.restart == RestartPolicy::OnCrash;
}

bool Supervisor::restart_on_crash() const {
    if (config_.restart == RestartPolicy::Never) return false;
    return is_server();
}

std::filesystem::path Supervisor::run_cwd() const {
    return config_.cwd.empty() ? config_.root : (config_.root / config_.cwd).lexically_normal();
}

}  // namespace hotswap
