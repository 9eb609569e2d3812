#include "front/client_connection.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/core.h>

#include "core/duration.hpp"
#include "front/http_front.hpp"
#include "front/http_rules.hpp"
#include "front/protocol_guess.hpp"
#include "front/html_injection.hpp"
#include "front/live_reload_assets.hpp"
#include "front/sticky_cookie.hpp"

namespace hotswap {

namespace {

constexpr uint32_t kEvents = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
constexpr size_t kReadChunk = 16 * 1024;
// Live reload holds a page whole to put its script in; a larger one is passed on without it.
constexpr size_t kMaxInjectedPage = 8 * 1024 * 1024;
// After the last answer on a connection the front closes, what the client still sends is read and
// dropped for this long, so the close does not reset the connection (and lose the answer) under it.
constexpr Duration kLingerTimeout{2'000};
// A generation that refused a connection is tried again after this, doubling up to the maximum, until
// another one serves or max_wait has passed.
constexpr Duration kFirstBackoff{10};
constexpr Duration kMaxBackoff{250};
// A request whose connection broke before any answer is sent again once, and not at once to the generation
// that broke it: that one may be crashing, still accepting while hotswap has not yet seen it exit. The retry
// waits this long for the routes to change before it goes back there.
constexpr Duration kRetryElsewhereFor{250};

bool would_block(int err) { return err == EAGAIN || err == EWOULDBLOCK; }

}  // namespace

ClientConnection::ClientConnection(HttpFront& front, uint64_t id, FileDescriptor fd, std::string peer, bool sniff)
    : front_(front),
      id_(id),
      fd_(std::move(fd)),
      peer_(std::move(peer)),
      phase_(sniff ? Phase::Sniff : Phase::Idle),
      requests_(HttpDirection::Request, *this, front.options().limits) {}

ClientConnection::~ClientConnection() {
    if (registered_) front_.loop().remove_fd(fd_.get());
    if (upstream_) front_.give_back(std::move(upstream_), false);
}

void ClientConnection::start() {
    if (!front_.loop().add_fd(fd_.get(), kEvents, [this](uint32_t ev) { on_client_event(ev); }).ok()) {
        close_now();
        return;
    }
    registered_ = true;
    idle_since_ = head_since_ = front_.loop().now();
    if (phase_ == Phase::Idle) enter_idle();
    else watch_deadlines();
}

void ClientConnection::on_client_event(uint32_t events) {
    readable_ = readable_ || (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR));
    writable_ = writable_ || (events & (EPOLLOUT | EPOLLHUP | EPOLLERR));
    hangup_seen_ = hangup_seen_ || (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR));
    if (phase_ == Phase::Sniff) sniff();
    else pump();
}

void ClientConnection::on_upstream_event() { pump(); }

// ---- auto: HTTP or bytes

void ClientConnection::sniff() {
    char first[kProtocolGuessBytes];
    ssize_t n = ::recv(fd_.get(), first, sizeof first, MSG_PEEK);
    if (n < 0 && (would_block(errno) || errno == EINTR)) {
        readable_ = false;
        return;
    }
    if (n <= 0) {
        close_now();  // gone before it said anything
        return;
    }
    switch (guess_protocol({first, size_t(n)})) {
    case ProtocolGuess::NeedMore:
        readable_ = false;  // the next bytes bring a new edge
        if (!sniff_partial_) {
            sniff_partial_ = true;  // from now on a slow head, no longer an idle connection
            head_since_ = front_.loop().now();
        }
        return;
    case ProtocolGuess::Other:
        deadline_timer_.cancel();
        front_.loop().remove_fd(fd_.get());
        registered_ = false;
        phase_ = Phase::Done;
        front_.to_byte_stream(id_, std::move(fd_));
        return;
    case ProtocolGuess::Http:
        phase_ = Phase::Idle;
        pump();
        return;
    }
}

// ---- the pump

void ClientConnection::pump() {
    // Rounds per wake-up: a connection moving a large body yields to the others after this many, and
    // goes on from the loop's queue (its sockets are edge-triggered: no new event would come for what
    // is already there).
    constexpr int kRounds = 64;
    for (int round = 0;; ++round) {
        if (phase_ == Phase::Done || phase_ == Phase::Sniff) return;
        if (round == kRounds) {
            front_.loop().post([this, alive = std::weak_ptr<int>(alive_)] {
                if (!alive.expired()) pump();
            });
            return;
        }
        bool moved = read_client();
        if (phase_ == Phase::Tunnel) {
            moved = move_tunnel() || moved;
        } else {
            moved = feed_requests() || moved;
            moved = move_upstream() || moved;
            moved = read_response() || moved;
        }
        moved = write_client() || moved;
        if (phase_ == Phase::Done) return;
        if (!moved) break;
    }
    settle();
}

bool ClientConnection::read_client() {
    if (!readable_ || client_eof_ || phase_ == Phase::Done) return false;
    // Back-pressure: what waits unparsed is bounded; a request body waits in the socket beyond it.
    const size_t buffered = in_.size() - in_pos_;
    if (buffered >= front_.options().buffer_limit && phase_ != Phase::Closing) return false;
    char buffer[kReadChunk];
    size_t n = 0;
    const SocketIo io = read_once(fd_.get(), buffer, sizeof buffer, n, readable_, hangup_seen_);
    if (io == SocketIo::Moved) {
        if (phase_ == Phase::Closing) return true;  // lingering: dropped
        if (in_pos_ > 0 && in_pos_ == in_.size()) {
            in_.clear();
            in_pos_ = 0;
        }
        in_.append(buffer, n);
        if (phase_ == Phase::Idle) enter_head();
        return true;
    }
    if (io == SocketIo::Closed) {
        client_eof_ = true;
        return true;
    }
    if (io == SocketIo::Blocked) return false;
    close_now();  // reset by the client: nobody is left to answer
    return false;
}

bool ClientConnection::feed_requests() {
    if (phase_ == Phase::Closing || phase_ == Phase::Tunnel || phase_ == Phase::Done) return false;
    bool moved = false;
    if (phase_ == Phase::Idle && in_pos_ < in_.size()) enter_head();
    while (in_pos_ < in_.size() && !request_done_ && phase_ != Phase::Closing && phase_ != Phase::Done &&
           phase_ != Phase::Idle) {
        // The body is read only as fast as the app takes it.
        const size_t queued = to_upstream_.size() + (upstream_ ? upstream_->pending() : 0);
        if (phase_ != Phase::Head && queued >= front_.options().buffer_limit) break;
        std::string_view piece(in_.data() + in_pos_, std::min(in_.size() - in_pos_, kReadChunk));
        HttpParser::FeedResult result = requests_.feed(piece);
        if (phase_ == Phase::Done) return true;
        in_pos_ += piece.size() - result.rest.size();
        moved = true;
        if (!refusal_.empty()) {
            answer_error(501, refusal_);
            return true;
        }
        if (local_ != Local::None && request_done_) {
            serve_local();
            return true;
        }
        if (result.status == HttpParser::Status::Failed) {
            const HttpError& e = *requests_.error();
            if (head_sent_ || response_started_) close_now();
            else answer_error(e.status, e.reason);
            return true;
        }
        if (result.status != HttpParser::Status::Consumed) break;  // one request at a time
    }
    maybe_complete();
    if (client_eof_ && !request_done_ && in_pos_ == in_.size()) {
        if (phase_ == Phase::Idle || phase_ == Phase::Head) {
            // A clean close between requests, or one inside a head: nothing to answer.
            if (phase_ == Phase::Head) front_.count_bad_request();
            close_now();
            return true;
        }
        if (phase_ != Phase::Closing && phase_ != Phase::Done) {
            HttpParser::FeedResult end = requests_.finish();
            if (end.status == HttpParser::Status::Failed && !request_done_) {
                // The body was cut short: the app must not take a partial request for a whole one. When
                // its whole answer is here already, the client had what it wanted (it stopped sending
                // after a final answer to Expect: 100-continue); else it gave up.
                if (upstream_) front_.give_back(std::move(upstream_), false);
                if (response_done_ && ticket_) {
                    log_access(status_);
                    ticket_->finish(status_, head_latency_ms_);
                }
                ticket_.reset();
                if (response_done_ && out_sent_ < out_.size()) close_after_output();
                else close_now();
                return true;
            }
        }
    }
    return moved;
}

bool ClientConnection::move_upstream() {
    if (!upstream_) return false;
    bool moved = false;
    if (upstream_->connecting()) {
        switch (upstream_->finish_connect()) {
        case UpstreamConnection::Io::Blocked: return false;
        case UpstreamConnection::Io::Failed: connect_failed(); return true;
        default: break;
        }
        phase_ = Phase::Exchange;
        moved = true;
    }
    if (!to_upstream_.empty()) {
        // Handed over: from now on these bytes are the connection's, lost with it if it breaks.
        upstream_->queue(to_upstream_);
        to_upstream_.clear();
        if (to_upstream_.capacity() > 2 * kReadChunk) std::string().swap(to_upstream_);
        sent_any_ = true;
    }
    if (upstream_->pending() > 0) {
        const auto io = upstream_->flush();
        if (io == UpstreamConnection::Io::Failed) {
            upstream_failed("the connection to the app broke while the request was sent");
            return true;
        }
        moved = moved || io == UpstreamConnection::Io::Moved;
    }
    return moved;
}

bool ClientConnection::read_response() {
    if (!upstream_ || response_done_ || upstream_->connecting()) return false;
    bool moved = false;
    while (upstream_ && (out_.size() - out_sent_) < front_.options().buffer_limit) {
        HttpParser::FeedResult result;
        const auto io = upstream_->read(result, kReadChunk);
        if (io == UpstreamConnection::Io::Blocked) break;
        moved = true;
        if (io == UpstreamConnection::Io::Failed || io == UpstreamConnection::Io::Closed) {
            if (io == UpstreamConnection::Io::Closed && response_started_ && head_sent_) {
                // A body that runs until the close ends here; anything else is cut short.
                result = upstream_->parser().finish();
                if (response_done_) {
                    upstream_keep_alive_ = false;
                    maybe_complete();
                    break;
                }
            }
            upstream_failed(io == UpstreamConnection::Io::Closed ? "the app closed the connection without an answer"
                                                                  : "the app reset the connection");
            break;
        }
        response_started_ = true;
        if (result.status == HttpParser::Status::Failed) {
            upstream_failed(fmt::format("the app's answer is not valid HTTP: {}", upstream_->parser().error()->reason));
            break;
        }
        if (result.status == HttpParser::Status::Upgraded) {
            start_tunnel();
            break;
        }
        if (response_done_) {
            maybe_complete();
            break;
        }
    }
    return moved;
}

bool ClientConnection::write_client() {
    if (!fd_) return false;
    const SocketIo io = send_buffered(fd_.get(), out_, out_sent_, writable_);
    if (io == SocketIo::Failed) {
        close_now();  // the client went away
        return false;
    }
    return io == SocketIo::Moved;
}

// What is left to do once nothing moves: close, linger, or wait for the next event.
void ClientConnection::settle() {
    if (phase_ == Phase::Done) return;
    const bool output_pending = out_sent_ < out_.size();
    if (phase_ == Phase::Closing) {
        if (output_pending) return;
        if (!client_shut_) {
            ::shutdown(fd_.get(), SHUT_WR);
            client_shut_ = true;
            linger_timer_ = front_.loop().after(kLingerTimeout, [this] { close_now(); });
        }
        if (client_eof_) close_now();
        return;
    }
    if (phase_ == Phase::Tunnel) {
        if (client_shut_ && upstream_shut_) {
            if (ticket_) ticket_->finish(101);
            ticket_.reset();
            close_now();
        }
        return;
    }
    if (phase_ == Phase::Idle && in_pos_ == in_.size()) {
        if (client_eof_ || close_after_ || front_.closing()) {
            if (!output_pending) close_now();
            else phase_ = Phase::Closing;
            return;
        }
        if (in_.capacity() > 2 * kReadChunk) std::string().swap(in_);
        in_.clear();
        in_pos_ = 0;
    }
}

// One timer watches both deadlines, the idle connection's and the slow head's, and is not touched per
// request: it is armed at most header_timeout ahead, and on firing checks the deadline of the phase it
// finds (none outside Idle, Sniff and Head) and arms itself again for what is left.
void ClientConnection::enter_head() {
    phase_ = Phase::Head;
    // Nothing of the previous exchange may leak into this one (a refusal must find no answer begun).
    head_sent_ = response_started_ = response_done_ = tunnel_ = last_head_interim_ = false;
    status_ = 0;
    method_.clear();
    head_since_ = front_.loop().now();
    watch_deadlines();
}

void ClientConnection::enter_idle() {
    phase_ = Phase::Idle;
    idle_since_ = front_.loop().now();
    watch_deadlines();
}

void ClientConnection::watch_deadlines() {
    if (!deadline_timer_.armed()) deadline_timer_ = front_.loop().after(front_.options().header_timeout, [this] { on_deadline(); });
}

void ClientConnection::on_deadline() {
    const auto now = front_.loop().now();
    const FrontOptions& o = front_.options();
    const bool slow_head = phase_ == Phase::Head || (phase_ == Phase::Sniff && sniff_partial_);
    const bool idle = phase_ == Phase::Idle || (phase_ == Phase::Sniff && !sniff_partial_);
    Clock::time_point due;
    if (slow_head) due = head_since_ + o.header_timeout;
    else if (idle) due = idle_since_ + o.client_idle_timeout;
    else return;  // a request is under way: the next Idle or Head arms it again
    if (now >= due) {
        if (idle) {
            close_now();
            return;
        }
        answer_error(408, fmt::format("the request head did not come within {}", format_duration(o.header_timeout)));
        pump();
        return;
    }
    const Duration left = std::min(std::chrono::ceil<Duration>(due - now), o.header_timeout);
    deadline_timer_ = front_.loop().after(left, [this] { on_deadline(); });
}

// ---- requests

void ClientConnection::on_head(const MessageHead& head) {
    method_ = head.method;
    target_ = head.target;
    version_ = head.version;
    request_keep_alive_ = head.keep_alive;
    request_upgrade_ = head.upgrade && !head.fields.list("Upgrade").empty();
    request_done_ = false;
    idempotent_ = is_idempotent(head.method, head.fields);
    const BodyFraming framing = request_framing(head);
    chunked_up_ = framing == BodyFraming::Chunked;
    has_body_ = framing != BodyFraming::None;
    started_ = front_.loop().now();
    waiting_since_ = {};
    backoff_ = kFirstBackoff;
    retried_ = false;
    avoid_generation_ = 0;
    attempts_ = 0;
    refusal_.clear();
    sent_any_ = false;
    response_started_ = head_sent_ = last_head_interim_ = response_done_ = tunnel_ = false;
    status_ = 0;
    if (!request_keep_alive_) close_after_ = true;
    cookie_generation_ = front_.options().sticky == ShiftSticky::Cookie ? sticky_cookie_generation(head.fields) : 0;
    set_cookie_.clear();
    local_ = Local::None;
    inject_ = injecting_ = false;
    if (front_.live_reload() && head.target.starts_with(kLiveReloadPrefix)) {
        const std::string_view path = std::string_view(head.target).substr(0, head.target.find('?'));
        const std::string_view name = path.substr(kLiveReloadPrefix.size());
        local_ = name == "live.js" ? Local::Script : name == "worker.js" ? Local::Worker
               : name == "events"  ? Local::Events : Local::Unknown;
        return;  // answered once the request is read
    }
    if (head.method == "CONNECT") {
        refusal_ = "CONNECT is not supported by the front: it forwards requests to the app only";
        return;  // answered once the parser returns
    }
    replay_.clear();
    replayable_ = idempotent_;
    to_upstream_.clear();
    RequestContext context{.client_address = peer_, .front_host = front_.host(),
                           .forwarded_headers = front_.options().forwarded_headers};
    inject_ = front_.live_reload() && wants_injection(head);
    if (inject_) {
        // A page that gets the script: asked for whole and uncompressed, so that it can be rewritten.
        MessageHead page = head;
        ask_for_identity(page);
        append_upstream(upstream_request_head(page, context));
    } else {
        append_upstream(upstream_request_head(head, context));
    }
    route();
}

void ClientConnection::on_body(std::string_view bytes) {
    if (chunked_up_) {
        std::string framed;
        append_chunk(framed, bytes);
        append_upstream(framed);
    } else {
        append_upstream(bytes);
    }
}

HttpParser::Flow ClientConnection::on_message_end(const HeaderFields& trailers) {
    if (chunked_up_) {
        std::string framed;
        append_last_chunk(framed, trailers);
        append_upstream(framed);
    }
    request_done_ = true;
    return HttpParser::Flow::Pause;
}

void ClientConnection::append_upstream(std::string_view bytes) {
    to_upstream_.append(bytes);
    if (!replayable_) return;
    if (replay_.size() + bytes.size() > front_.options().retry_limit) {
        replayable_ = false;  // too big to keep: it is sent once, whatever happens
        std::string().swap(replay_);
        return;
    }
    replay_.append(bytes);
}

// ---- routing

void ClientConnection::route() {
    retry_timer_.cancel();
    front_.stop_waiting(id_);
    if (front_.closing() && !ticket_) {
        answer_error(503, "hotswap is stopping");
        return;
    }
    std::optional<int> generation = sticky_choice();
    if (!generation) generation = front_.router().pick();
    UpstreamPool* pool = generation ? front_.pool(*generation) : nullptr;
    if (!pool) {
        wait_for_route();
        return;
    }
    if (*generation == avoid_generation_) {
        const auto now = front_.loop().now();
        if (now < avoid_until_) {
            wait_for_route(std::chrono::ceil<Duration>(avoid_until_ - now));
            return;
        }
        avoid_generation_ = 0;  // still serving after the pause: it is alive, the failure was the connection's
    }
    ticket_.reset();
    ticket_ = front_.router().begin(*generation);
    if (!ticket_) {
        wait_for_route();
        return;
    }
    if (++attempts_ > 1) ticket_->note_retry();
    last_generation_ = *generation;
    remember_choice(*generation);
    routed_at_ = front_.loop().now();
    head_latency_ms_ = -1;
    bool fresh = true;
    upstream_ = retried_ ? pool->open_new() : pool->take(fresh);
    if (!upstream_) {
        connect_failed();
        return;
    }
    sent_any_ = false;
    upstream_->set_on_event([this] { on_upstream_event(); });
    upstream_->set_response_handler(&response_side_);
    upstream_->parser().expect_response_to(method_);
    phase_ = upstream_->connecting() ? Phase::Connecting : Phase::Exchange;
}

std::optional<int> ClientConnection::sticky_choice() const {
    // Only while a shift is under way: outside one, a single generation takes new requests anyway.
    const ShiftSticky sticky = front_.options().sticky;
    if (sticky == ShiftSticky::None || !front_.router().mixed()) return std::nullopt;
    const int preferred = sticky == ShiftSticky::Cookie ? cookie_generation_ : sticky_generation_;
    if (preferred == 0 || preferred == avoid_generation_ || !front_.router().takes_new(preferred)) return std::nullopt;
    return preferred;
}

void ClientConnection::remember_choice(int generation) {
    set_cookie_.clear();
    if (front_.options().sticky == ShiftSticky::None) return;
    if (!front_.router().mixed()) {
        sticky_generation_ = 0;  // the next shift picks afresh
        return;
    }
    sticky_generation_ = generation;
    if (front_.options().sticky == ShiftSticky::Cookie && cookie_generation_ != generation)
        set_cookie_ = fmt::format("Set-Cookie: {}={}; Path=/; Max-Age=86400; HttpOnly; SameSite=Lax\r\n",
                                  kStickyCookie, generation);
}

void ClientConnection::route_again() {
    if (phase_ != Phase::Waiting) return;
    route();
    pump();
}

void ClientConnection::wait_for_route(std::optional<Duration> pause) {
    phase_ = Phase::Waiting;
    const auto now = front_.loop().now();
    if (waiting_since_ == Clock::time_point{}) waiting_since_ = now;
    if (now - waiting_since_ >= front_.options().max_wait) {
        answer_error(503, fmt::format("no version of the app took the request within {}",
                                      format_duration(front_.options().max_wait)));
        return;
    }
    front_.wait(id_);
    retry_timer_ = front_.loop().after(pause.value_or(backoff_), [this] { route_again(); });
    if (!pause) backoff_ = std::min(backoff_ * 2, kMaxBackoff);
}

void ClientConnection::end_ticket_failed() {
    if (ticket_) ticket_->fail_upstream();
    ticket_.reset();
}

void ClientConnection::connect_failed() {
    // Nothing reached the app: always safe to try again, on whichever generation serves by then.
    if (upstream_) front_.give_back(std::move(upstream_), false);
    end_ticket_failed();
    wait_for_route();
}

bool ClientConnection::can_retry() const {
    if (response_started_ || tunnel_) return false;
    if (!sent_any_) return true;  // no byte of it left the front
    return idempotent_ && replayable_ && !retried_;
}

void ClientConnection::upstream_failed(std::string_view why) {
    if (upstream_) front_.give_back(std::move(upstream_), false);
    if (response_done_) {
        // The whole answer is here; only the rest of the request had nowhere to go. The client gets the
        // answer, and the connection ends after it.
        if (ticket_) ticket_->finish(status_, head_latency_ms_);
        ticket_.reset();
        log_access(status_);
        close_after_output();
        return;
    }
    if (can_retry()) {
        const int failed_on = generation();
        end_ticket_failed();
        if (sent_any_) {
            retried_ = true;
            to_upstream_ = replay_;  // everything so far, on a new connection
            avoid_generation_ = failed_on;
            avoid_until_ = front_.loop().now() + kRetryElsewhereFor;
        }
        sent_any_ = false;
        route();
        return;
    }
    end_ticket_failed();
    if (head_sent_ || response_started_) {
        close_now();  // part of an answer went out: the client can only learn of it from the close
        return;
    }
    answer_error(502, why);
}

// An answer may be complete before its request is (the app answered early): the rest of the request still
// goes to the app, and only then is the exchange over.
void ClientConnection::maybe_complete() {
    if (!response_done_ || !request_done_ || !upstream_ || phase_ != Phase::Exchange) return;
    if (to_upstream_.size() > 0 || upstream_->pending() > 0) return;
    // The app's connection goes back to its pool when both messages ended cleanly and it stays open.
    const bool reusable = upstream_keep_alive_ && upstream_->take_leftover().empty();
    front_.give_back(std::move(upstream_), reusable);
    log_access(status_);
    // Kept for a shadow replay: a GET or HEAD without a body, as it went up (replay_ holds it whole then).
    if (front_.shadow_log().capacity() > 0 && replayable_ && !has_body_ && ticket_)
        front_.shadow_log().record(method_, target_, replay_, status_, ticket_->generation(), has_body_);
    if (ticket_) ticket_->finish(status_, head_latency_ms_);
    ticket_.reset();
    retry_timer_.cancel();
    std::string().swap(replay_);
    if (!plan_.keep_alive) close_after_ = true;
    request_done_ = false;
    response_done_ = false;
    method_.clear();
    if (close_after_) phase_ = Phase::Closing;
    else enter_idle();
}

void ClientConnection::start_tunnel() {
    if (!tunnel_ || !request_upgrade_) {
        upstream_failed("the app switched protocols without being asked to");
        return;
    }
    // The bytes after the request head belong to the new protocol, and so do those after the 101.
    phase_ = Phase::Tunnel;
    deadline_timer_.cancel();
    to_upstream_.append(in_, in_pos_, std::string::npos);
    in_.clear();
    in_pos_ = 0;
    out_.append(upstream_->take_leftover());
    std::string().swap(replay_);
    log_access(101);
}

bool ClientConnection::move_tunnel() {
    bool moved = false;
    // Client → app: what read_client() put in in_, then straight on.
    if (in_pos_ < in_.size() && upstream_->pending() < front_.options().buffer_limit) {
        to_upstream_.append(in_, in_pos_, std::string::npos);
        in_.clear();
        in_pos_ = 0;
        moved = true;
    }
    if (!to_upstream_.empty()) {
        upstream_->queue(to_upstream_);
        to_upstream_.clear();
    }
    if (upstream_->pending() > 0) {
        const auto io = upstream_->flush();
        if (io == UpstreamConnection::Io::Failed) {
            end_ticket_failed();
            close_now();
            return false;
        }
        moved = moved || io == UpstreamConnection::Io::Moved;
    }
    if (client_eof_ && upstream_->pending() == 0 && !upstream_shut_) {
        upstream_->shutdown_write();
        upstream_shut_ = true;
        moved = true;
    }
    // App → client.
    while (!upstream_eof_ && (out_.size() - out_sent_) < front_.options().buffer_limit) {
        const auto io = upstream_->read_raw(out_, kReadChunk);
        if (io == UpstreamConnection::Io::Blocked) break;
        moved = true;
        if (io == UpstreamConnection::Io::Moved) continue;
        if (io == UpstreamConnection::Io::Failed) {
            if (ticket_) ticket_->finish(101);
            ticket_.reset();
            close_now();
            return false;
        }
        upstream_eof_ = true;
    }
    if (upstream_eof_ && out_sent_ == out_.size() && !client_shut_) {
        ::shutdown(fd_.get(), SHUT_WR);
        client_shut_ = true;
        moved = true;
    }
    return moved;
}

// ---- the end

void ClientConnection::answer_error(int status, std::string_view reason) {
    if (phase_ == Phase::Done) return;
    if (status == 400 || status == 408 || status == 413 || status == 414 || status == 431 || status == 501 || status == 505)
        front_.count_bad_request();
    if (status >= 502 && status <= 504) front_.count_failed_request();
    if (upstream_) front_.give_back(std::move(upstream_), false);
    end_ticket_failed();
    retry_timer_.cancel();
    front_.stop_waiting(id_);
    if (!head_sent_) out_.append(front_response(status, reason, true));
    log_access(status);
    close_after_output();
}

void ClientConnection::close_after_output() {
    close_after_ = true;
    phase_ = Phase::Closing;
    deadline_timer_.cancel();
}

void ClientConnection::close_now() {
    if (phase_ == Phase::Done) return;
    phase_ = Phase::Done;
    deadline_timer_.cancel();
    linger_timer_.cancel();
    retry_timer_.cancel();
    front_.stop_waiting(id_);
    if (registered_) front_.loop().remove_fd(fd_.get());
    registered_ = false;
    if (upstream_) front_.give_back(std::move(upstream_), false);
    ticket_.reset();  // abandoned, if it was still in flight
    fd_.reset();
    front_.retire(id_);
}

void ClientConnection::close_when_idle() {
    close_after_ = true;
    if (phase_ == Phase::Idle || phase_ == Phase::Sniff) {
        if (out_sent_ == out_.size()) close_now();
        else phase_ = Phase::Closing;
    } else if (phase_ == Phase::Waiting && !ticket_) {
        answer_error(503, "hotswap is stopping");
        pump();
    }
}

void ClientConnection::abort() {
    if (phase_ == Phase::Done) return;
    if (phase_ != Phase::Tunnel && !head_sent_ && !response_started_) {
        answer_error(504, "the app did not answer before its version was stopped");
        pump();
        return;
    }
    close_now();
}

void ClientConnection::log_access(int status) {
    if (!front_.options().on_access || method_.empty()) return;
    const auto elapsed = front_.loop().now() - started_;
    AccessRecord record{.method = method_, .target = target_, .status = status,
                        .elapsed_ms = std::chrono::duration<double, std::milli>(elapsed).count(),
                        .generation = ticket_ ? ticket_->generation() : last_generation_,
                        .retries = retried_ ? 1 : 0};
    front_.options().on_access(record);
}

// ---- responses

void ClientConnection::ResponseSide::on_head(const MessageHead& head) {
    if (head.status == 101) {
        c.tunnel_ = true;
        c.out_.append(interim_response_head(head));
        c.head_sent_ = true;
        c.status_ = 101;
        return;
    }
    if (head.status < 200) {
        // 100 Continue and other interim answers: passed on, except to HTTP/1.0 clients, which know none.
        c.last_head_interim_ = true;
        if (c.version_.minor >= 1) c.out_.append(interim_response_head(head));
        return;
    }
    c.last_head_interim_ = false;
    c.status_ = head.status;
    c.upstream_keep_alive_ = head.keep_alive;
    c.response_done_ = false;
    c.head_latency_ms_ = std::chrono::duration<double, std::milli>(c.front_.loop().now() - c.routed_at_).count();
    if (c.inject_ && injectable_response(head)) {
        // Held whole: its length changes with the script, and the script goes before its end.
        c.injecting_ = true;
        c.held_head_ = head;
        c.held_body_.clear();
        c.head_sent_ = true;  // as far as the exchange goes: the head is the front's now
        return;
    }
    const bool bodiless = c.method_ == "HEAD" || head.status == 204 || head.status == 304;
    const bool keep = c.request_keep_alive_ && !c.close_after_ && !c.front_.closing();
    c.plan_ = plan_response(head, bodiless, c.version_, keep);
    c.out_.append(client_response_head(head, c.plan_, c.version_, c.set_cookie_));
    c.head_sent_ = true;
}

void ClientConnection::ResponseSide::on_body(std::string_view bytes) {
    if (c.injecting_) {
        c.held_body_.append(bytes);
        if (c.held_body_.size() > kMaxInjectedPage) c.release_held(false);  // too big: passed on as it is
        return;
    }
    if (c.plan_.framing == BodyFraming::Chunked) append_chunk(c.out_, bytes);
    else c.out_.append(bytes);
}

HttpParser::Flow ClientConnection::ResponseSide::on_message_end(const HeaderFields& trailers) {
    if (c.last_head_interim_) {
        c.last_head_interim_ = false;
        return HttpParser::Flow::Continue;  // the final answer follows
    }
    if (c.tunnel_) return HttpParser::Flow::Pause;
    if (c.injecting_) c.release_held(true);
    if (c.plan_.framing == BodyFraming::Chunked) append_last_chunk(c.out_, trailers);
    c.response_done_ = true;
    return HttpParser::Flow::Pause;
}

// ---- live reload

void ClientConnection::serve_local() {
    const Local which = local_;
    local_ = Local::None;
    request_done_ = false;
    to_upstream_.clear();
    std::string().swap(replay_);
    if (which == Local::Events && method_ == "GET") {
        // The stream outlives this connection's HTTP: the hub takes the socket (and any answer not yet out).
        log_access(200);
        deadline_timer_.cancel();
        linger_timer_.cancel();
        if (registered_) front_.loop().remove_fd(fd_.get());
        registered_ = false;
        phase_ = Phase::Done;
        std::string pending = out_.substr(out_sent_);
        (void)::send(fd_.get(), pending.data(), pending.size(), MSG_NOSIGNAL);  // the last answer's tail, if any
        front_.to_live_stream(id_, std::move(fd_));
        return;
    }
    int status = 200;
    std::string_view type = "text/javascript; charset=utf-8";
    std::string_view body;
    if (method_ != "GET" && method_ != "HEAD") {
        status = 405;
        type = "text/plain; charset=utf-8";
        body = "hotswap's live reload answers GET only\n";
    } else if (which == Local::Script) {
        body = live_reload_script();
    } else if (which == Local::Worker) {
        body = live_reload_worker();
    } else {
        status = 404;
        type = "text/plain; charset=utf-8";
        body = "not a path of hotswap's live reload (/__hotswap/live.js, worker.js, events)\n";
    }
    out_.append(fmt::format("HTTP/1.1 {} {}\r\nContent-Type: {}\r\nCache-Control: no-cache\r\nContent-Length: {}\r\n{}\r\n",
                            status, status_reason(status), type, body.size(), close_after_ ? "Connection: close\r\n" : ""));
    if (method_ != "HEAD") out_.append(body);
    log_access(status);
    method_.clear();
    if (close_after_) phase_ = Phase::Closing;
    else enter_idle();
}

void ClientConnection::release_held(bool with_script) {
    injecting_ = false;
    MessageHead head = std::move(held_head_);
    std::string body = std::move(held_body_);
    const bool keep = request_keep_alive_ && !close_after_ && !front_.closing();
    if (!with_script) {
        plan_ = plan_response(head, false, version_, keep);
        out_.append(client_response_head(head, plan_, version_, set_cookie_));
        if (plan_.framing == BodyFraming::Chunked) append_chunk(out_, body);
        else out_.append(body);
        return;
    }
    body = inject_tag(body, live_reload_tag(ticket_ ? ticket_->generation() : last_generation_, csp_nonce(head)));
    // The page is the front's rewrite: never answered from a cache as the app's (a cached page of an older
    // version would reload itself again and again), and framed by its new length.
    for (std::string_view name : {"Content-Length", "Transfer-Encoding", "ETag", "Last-Modified", "Cache-Control"})
        head.fields.remove(name);
    head.fields.add("Cache-Control", "no-store");
    head.fields.add("Content-Length", std::to_string(body.size()));
    head.content_length = body.size();
    head.chunked = false;
    plan_ = plan_response(head, false, version_, keep);
    out_.append(client_response_head(head, plan_, version_, set_cookie_));
    out_.append(body);
}

}  // namespace hotswap
