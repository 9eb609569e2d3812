#include "front/live_reload_hub.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace hotswap {

namespace {

// The stream's response: no length, it ends with the connection; a browser reconnects 500 ms after a
// close (retry), which is how a page finds the next hotswap after a restart.
constexpr std::string_view kStreamHead =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n"
    "X-Accel-Buffering: no\r\nConnection: close\r\n\r\nretry: 500\n\n";
// A comment line now and then: a dead peer shows up as a failed write, and no proxy between times it out.
constexpr Duration kHeartbeat{15'000};
constexpr size_t kMaxPending = 1024 * 1024;
constexpr size_t kMaxStreams = 1024;

}  // namespace

LiveReloadHub::LiveReloadHub(EventLoop& loop) : loop_(loop) {}

LiveReloadHub::~LiveReloadHub() { close_all(); }

std::string LiveReloadHub::format_event(std::string_view name, const nlohmann::json& data) {
    std::string out = "event: ";
    out.append(name);
    out.append("\ndata: ");
    out.append(data.dump());  // one line: dump() escapes every newline inside strings
    out.append("\n\n");
    return out;
}

nlohmann::json LiveReloadHub::hello() const {
    nlohmann::json error = nullptr;
    if (error_) error = {{"kind", error_->kind}, {"title", error_->title}, {"text", error_->text}};
    return {{"generation", generation_}, {"error", error}};
}

void LiveReloadHub::adopt(FileDescriptor fd) {
    if (streams_.size() >= kMaxStreams) return;  // closed: the browser retries later
    const int raw = fd.get();
    auto s = std::make_unique<Stream>();
    s->fd = std::move(fd);
    if (!loop_.add_fd(raw, EPOLLIN | EPOLLRDHUP, [this, raw](uint32_t ev) { on_epoll(raw, ev); }).ok()) return;
    Stream& stream = *s;
    streams_.emplace(raw, std::move(s));
    std::string first(kStreamHead);
    first += format_event("hello", hello());
    send(stream, first);
    if (!heartbeat_.armed()) heartbeat_ = loop_.after(kHeartbeat, [this] { heartbeat(); });
}

void LiveReloadHub::serving(int generation, bool keep_error) {
    generation_ = generation;
    if (!keep_error) error_.reset();  // a new version that serves is the answer to any earlier failure
    broadcast("serving", {{"generation", generation}});
}

void LiveReloadHub::css(const std::vector<std::string>& paths) { broadcast("css", {{"paths", paths}}); }

void LiveReloadHub::error(LiveReloadError e) {
    broadcast("error", {{"kind", e.kind}, {"title", e.title}, {"text", e.text}});
    error_ = std::move(e);
}

void LiveReloadHub::clear() {
    if (!error_) return;
    error_.reset();
    broadcast("clear", nlohmann::json::object());
}

void LiveReloadHub::broadcast(std::string_view name, const nlohmann::json& data) {
    const std::string bytes = format_event(name, data);
    ++events_sent_;
    std::vector<int> fds;
    fds.reserve(streams_.size());
    for (const auto& [fd, s] : streams_) fds.push_back(fd);
    for (int fd : fds)
        if (auto it = streams_.find(fd); it != streams_.end()) send(*it->second, bytes);
}

void LiveReloadHub::send(Stream& s, std::string_view bytes) {
    const int fd = s.fd.get();
    if (s.out.size() - s.sent + bytes.size() > kMaxPending) return drop(fd);
    s.out.append(bytes);
    while (s.sent < s.out.size()) {
        const ssize_t n = ::send(fd, s.out.data() + s.sent, s.out.size() - s.sent, MSG_NOSIGNAL);
        if (n > 0) {
            s.sent += size_t(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        return drop(fd);
    }
    if (s.sent == s.out.size()) {
        s.out.clear();
        s.sent = 0;
    }
    const bool want = s.sent < s.out.size();
    if (want != s.want_write) {
        s.want_write = want;
        (void)loop_.modify_fd(fd, EPOLLIN | EPOLLRDHUP | (want ? EPOLLOUT : 0u));
    }
}

void LiveReloadHub::on_epoll(int fd, uint32_t events) {
    auto it = streams_.find(fd);
    if (it == streams_.end()) return;
    if (events & (EPOLLHUP | EPOLLERR | EPOLLRDHUP)) return drop(fd);
    if (events & EPOLLIN) {
        // A stream's client has nothing more to say: what comes is read and ignored, a close ends it.
        char buf[1024];
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return drop(fd);
    }
    if (events & EPOLLOUT) send(*it->second, {});
}

void LiveReloadHub::drop(int fd) {
    auto it = streams_.find(fd);
    if (it == streams_.end()) return;
    loop_.remove_fd(fd);
    streams_.erase(it);
}

void LiveReloadHub::heartbeat() {
    std::vector<int> fds;
    for (const auto& [fd, s] : streams_) fds.push_back(fd);
    for (int fd : fds)
        if (auto it = streams_.find(fd); it != streams_.end()) send(*it->second, ": ping\n\n");
    if (!streams_.empty()) heartbeat_ = loop_.after(kHeartbeat, [this] { heartbeat(); });
}

void LiveReloadHub::close_all() {
    heartbeat_.cancel();
    for (auto& [fd, s] : streams_) loop_.remove_fd(fd);
    streams_.clear();
}

nlohmann::json LiveReloadHub::status_json() const {
    return {{"streams", streams_.size()},
            {"generation", generation_},
            {"error", error_ ? nlohmann::json(error_->kind) : nlohmann::json(nullptr)},
            {"events", events_sent_}};
}

}  // namespace hotswap
