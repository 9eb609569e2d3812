#include "front/shadow_replay.hpp"

#include <algorithm>

#include <fmt/core.h>

#include "front/http_parser.hpp"
#include "front/upstream_connection.hpp"
#include "net/socket_address.hpp"

namespace hotswap {

namespace {

constexpr size_t kReadChunk = 16 * 1024;

bool good(int status) { return status >= 200 && status <= 399; }

// Drops every Connection field (and so what it names stays as the client sent it, which is harmless for a
// GET): the replay's own Connection: close goes in instead.
std::string without_connection_fields(std::string_view head) {
    std::string out;
    out.reserve(head.size() + 48);
    size_t pos = 0;
    bool first = true;
    while (pos < head.size()) {
        size_t end = head.find("\r\n", pos);
        if (end == std::string_view::npos) end = head.size();
        std::string_view line = head.substr(pos, end - pos);
        pos = std::min(head.size(), end + 2);
        if (line.empty()) break;
        const bool connection = !first && line.size() > 11 && line[10] == ':' &&
                                std::equal(line.begin(), line.begin() + 10, "connection",
                                           [](char a, char b) { return (a | 0x20) == b; });
        if (!connection) {
            out.append(line);
            out += "\r\n";
        }
        first = false;
    }
    return out;
}

}  // namespace

bool ShadowResult::regression() const { return good(request.status) && (new_status == 0 || new_status >= 500); }

std::string ShadowResult::describe() const {
    if (new_status == 0)
        return fmt::format("{} {}: {} before, no answer now ({})", request.method, request.target, request.status,
                           failure);
    return fmt::format("{} {}: {} before, {} now", request.method, request.target, request.status, new_status);
}

size_t ShadowReport::regressions() const {
    return size_t(std::count_if(results.begin(), results.end(), [](const ShadowResult& r) { return r.regression(); }));
}

std::string ShadowReport::summary() const {
    const size_t bad = regressions();
    return fmt::format("{} request{} replayed: {} answered as before or better, {} regression{}", results.size(),
                       results.size() == 1 ? "" : "s", results.size() - bad, bad, bad == 1 ? "" : "s");
}

std::string shadow_request_head(std::string_view head) {
    std::string out = without_connection_fields(head);
    out += "Connection: close\r\nHotswap-Shadow: 1\r\n\r\n";
    return out;
}

// One replayed request: its connection, the status its answer gave, and its deadline.
struct ShadowReplay::Attempt final : HttpParser::Handler {
    size_t index = 0;
    std::unique_ptr<UpstreamConnection> conn;
    int status = 0;
    EventLoop::Timer deadline;

    void on_head(const MessageHead& head) override {
        if (status == 0 && (head.status >= 200 || head.status == 101)) status = head.status;
    }
    void on_body(std::string_view) override {}
    HttpParser::Flow on_message_end(const HeaderFields&) override { return HttpParser::Flow::Pause; }
};

ShadowReplay::ShadowReplay(EventLoop& loop, uint16_t port, std::vector<ShadowRequest> requests, Duration timeout,
                           size_t parallel, Done done)
    : loop_(loop), port_(port), timeout_(timeout), parallel_(std::max<size_t>(parallel, 1)), done_(std::move(done)) {
    report_.results.reserve(requests.size());
    for (auto& r : requests) report_.results.push_back(ShadowResult{.request = std::move(r), .new_status = 0, .failure = {}});
}

ShadowReplay::~ShadowReplay() = default;

void ShadowReplay::start() {
    if (report_.results.empty()) {
        empty_done_ = loop_.after(Duration{0}, [this] {
            if (auto done = std::move(done_)) done(report_);
        });
        return;
    }
    launch_more();
}

void ShadowReplay::launch_more() {
    const std::vector<SocketAddress> addresses = loopback_addresses(port_);
    while (running_.size() < parallel_ && next_ < report_.results.size()) {
        auto a = std::make_unique<Attempt>();
        a->index = next_++;
        const ShadowRequest& request = report_.results[a->index].request;
        a->conn = UpstreamConnection::open(loop_, 0, addresses);
        Attempt& attempt = *a;
        running_.push_back(std::move(a));
        if (!attempt.conn) {
            finish(attempt, 0, "no socket could be opened");
            continue;
        }
        attempt.conn->set_response_handler(&attempt);
        attempt.conn->parser().expect_response_to(request.method);
        attempt.conn->queue(shadow_request_head(request.head));
        attempt.conn->set_on_event([this, &attempt] { on_event(attempt); });
        attempt.deadline = loop_.after(timeout_, [this, &attempt] {
            finish(attempt, 0, fmt::format("no answer within {}", format_duration(timeout_)));
        });
    }
}

void ShadowReplay::on_event(Attempt& a) {
    UpstreamConnection& c = *a.conn;
    if (c.connecting()) {
        const SocketIo io = c.finish_connect();
        if (io == SocketIo::Failed) return finish(a, 0, "connection refused");
        if (io == SocketIo::Blocked) return;
    }
    if (c.pending() > 0 && c.flush() == SocketIo::Failed) return finish(a, 0, "connection reset");
    for (;;) {
        HttpParser::FeedResult result;
        const SocketIo io = c.read(result, kReadChunk);
        if (a.status != 0) return finish(a, a.status, "");
        if (result.status == HttpParser::Status::Failed) return finish(a, 0, "the answer is not HTTP");
        switch (io) {
            case SocketIo::Moved: continue;
            case SocketIo::Blocked: return;
            case SocketIo::Closed: return finish(a, 0, "connection closed before an answer");
            case SocketIo::Failed: return finish(a, 0, "connection reset");
        }
    }
}

// Called from the attempt's own connection or timer callback: the attempt goes, and nothing of it is
// touched after that (UpstreamConnection and Timer both allow being destroyed from their callback).
void ShadowReplay::finish(Attempt& a, int status, std::string failure) {
    ShadowResult& r = report_.results[a.index];
    r.new_status = status;
    r.failure = std::move(failure);
    auto it = std::find_if(running_.begin(), running_.end(), [&](const auto& p) { return p.get() == &a; });
    std::unique_ptr<Attempt> gone = std::move(*it);
    running_.erase(it);
    ++finished_;
    if (finished_ == report_.results.size()) {
        if (auto done = std::move(done_)) done(report_);
        return;
    }
    launch_more();
}

}  // namespace hotswap
