#include "control/control_plane.hpp"

#include <unistd.h>

#include <fmt/core.h>

#include "control/socket_path.hpp"
#include "ui/console.hpp"

namespace hotswap {

namespace {
// The reload_start event's `trigger` for who asked: `hotswap reload`/`rollback`, SIGHUP, a key.
std::string_view upgrade_trigger(std::string_view from, bool rollback) {
    if (from == "control") return rollback ? "rollback" : "reload";
    if (from == "signal") return "sighup";
    return from;
}

ReloadProgress progress_to(std::shared_ptr<ControlServer::Reply> reply) {
    return [reply = std::move(reply)](std::string_view note) { reply->progress({{"progress", std::string(note)}}); };
}
}  // namespace

nlohmann::json reload_reply(const ReloadOutcome& outcome) {
    nlohmann::json reply{{"ok", outcome.ok}, {"message", outcome.message}, {"generation", outcome.generation}};
    if (!outcome.ok) {
        reply["error"] = outcome.message;
        reply["code"] = to_string(ControlErrorCode::Failed);
    }
    return reply;
}

Result<std::unique_ptr<ControlPlane>> ControlPlane::create(EventLoop& loop, Supervisor& supervisor,
                                                           const Config& config, EventSink console) {
    auto plane = std::make_unique<ControlPlane>(loop, supervisor, config.root);
    plane->console_ = std::move(console);
    // Builds are kept (history, rollback) for serve and for run with --artifact (Supervisor::open_artifact_store).
    plane->artifacts_kept_ = config.verb == Verb::Serve || !config.artifact.empty();
    // 1. The event stream first, so that not even the first event is missed.
    if (!config.events.empty()) {
        auto stream = EventStream::open(loop, config.events);
        if (!stream) return stream.error().with_context("--events");
        plane->events_ = std::move(*stream);
    }
    // 2. The control socket; failing here means another hotswap already owns this directory.
    HS_TRY(path, control_socket_path(config.root, /*create=*/true));
    ControlPlane* self = plane.get();
    auto server = ControlServer::create(loop, path, [self](const ControlRequest& request,
                                                           std::shared_ptr<ControlServer::Reply> reply) {
        self->handle(request, std::move(reply));
    });
    if (!server) return server.error().with_context("control socket");
    plane->server_ = std::move(*server);
    Console::get().debug(fmt::format("control socket: {}", plane->server_->path().string()));
    // 3. From now on every lifecycle event reaches the console, the stream and the service manager.
    supervisor.set_event_sink([self](const Event& event) { self->on_event(event); });
    return plane;
}

ControlPlane::ControlPlane(EventLoop& loop, Supervisor& supervisor, std::filesystem::path root)
    : loop_(loop), supervisor_(supervisor), root_(std::move(root)) {}

ControlPlane::~ControlPlane() { supervisor_.set_event_sink(nullptr); }

const std::filesystem::path& ControlPlane::socket_path() const { return server_->path(); }

void ControlPlane::on_event(const Event& event) {
    // The console first: a step is on the terminal before the service manager hears of it (a READY=1 never
    // comes before the line saying what serves).
    emit_event(console_, event);
    if (events_) events_->emit(event_name(event), event_fields(event));
    notifier_.on_event(event, supervisor_.serving_now());
}

ReloadCallback ControlPlane::finish_reload(ReloadCallback done) {
    // The supervisor may outlive us (it is destroyed last): a late outcome then only reaches `done`.
    std::weak_ptr<ControlPlane*> self = alive_;
    return [self, done = std::move(done)](const ReloadOutcome& outcome) {
        if (auto plane = self.lock()) {
            // Whatever the outcome, something serves again (the new version, or the old one still): READY=1.
            (*plane)->notifier_.reload_finished(outcome.message);
            if ((*plane)->supervisor_.serving_now()) (*plane)->notifier_.serving(outcome.message);
        }
        if (done) done(outcome);
    };
}

void ControlPlane::reload(std::string_view trigger, ReloadCallback done, ReloadProgress progress) {
    if (events_) events_->emit("request", {{"cmd", "reload"}, {"from", std::string(trigger)}});
    notifier_.reload_started(fmt::format("reload requested ({})", trigger));
    supervisor_.request_reload(upgrade_trigger(trigger, false), finish_reload(std::move(done)), std::move(progress));
}

void ControlPlane::rollback(std::string_view artifact_id, std::string_view trigger, ReloadCallback done,
                            ReloadProgress progress) {
    if (events_) {
        nlohmann::json fields{{"cmd", "rollback"}, {"from", std::string(trigger)}};
        if (!artifact_id.empty()) fields["id"] = std::string(artifact_id);
        events_->emit("request", fields);
    }
    notifier_.reload_started(fmt::format("rollback requested ({})", trigger));
    supervisor_.request_rollback(artifact_id, upgrade_trigger(trigger, true), finish_reload(std::move(done)),
                                 std::move(progress));
}

void ControlPlane::stop(int signo) {
    notifier_.stopping();
    supervisor_.shutdown(signo);
}

nlohmann::json ControlPlane::status_reply() const {
    nlohmann::json status = supervisor_.status_json();
    nlohmann::json reply = status.is_object() ? status : nlohmann::json{{"status", status}};
    reply["ok"] = true;
    reply["pid"] = ::getpid();
    reply["root"] = root_.string();
    reply["uptime_ms"] =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started_).count();
    reply["serving"] = supervisor_.serving_now();
    return reply;
}

nlohmann::json ControlPlane::history_reply() const {
    nlohmann::json history = supervisor_.history_json();
    nlohmann::json reply = history.is_object() ? history : nlohmann::json{{"artifacts", history}};
    reply["ok"] = true;
    if (!reply.contains("artifacts_kept")) reply["artifacts_kept"] = artifacts_kept_;
    return reply;
}

void ControlPlane::handle(const ControlRequest& request, std::shared_ptr<ControlServer::Reply> reply) {
    switch (request.command) {
        case ControlCommand::Status:
            reply->send(status_reply());
            return;
        case ControlCommand::History:
            reply->send(history_reply());
            return;
        case ControlCommand::Reload:
            reload("control", [reply](const ReloadOutcome& outcome) { reply->send(reload_reply(outcome)); },
                   progress_to(reply));
            return;
        case ControlCommand::Rollback:
            rollback(request.artifact.value_or(""), "control",
                     [reply](const ReloadOutcome& outcome) { reply->send(reload_reply(outcome)); }, progress_to(reply));
            return;
        case ControlCommand::Stop:
            reply->keep_connection_until_exit();  // the client's EOF then means "hotswap has exited"
            reply->send({{"ok", true}, {"message", "stopping"}, {"pid", ::getpid()}});
            // After this callback returns, so the answer is on its way before the drain begins.
            loop_.post([this] { stop(SIGTERM); });
            return;
    }
}

}  // namespace hotswap
