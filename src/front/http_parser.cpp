#include "front/http_parser.hpp"

#include <exception>
#include <string>
#include <utility>

#include <fmt/format.h>
#include <llhttp.h>

#include "front/head_scanner.hpp"

namespace hotswap {

namespace {
// What on_headers_complete tells llhttp about the body.
constexpr int read_body = 0;  // as the fields say
constexpr int no_body = 1;    // none, whatever the fields say
constexpr int tunnel = 2;     // none, and the bytes after the head belong to another protocol

void trim_end(std::string& s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
}

bool is_version_number(std::string_view v) {
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    return v.size() == 3 && digit(v[0]) && v[1] == '.' && digit(v[2]);
}
}  // namespace

struct HttpParser::Impl {
    Impl(HttpDirection direction, Handler& handler, HttpLimits limits);

    llhttp_errno_t execute(std::string_view bytes);
    llhttp_errno_t finish();
    llhttp_errno_t rethrow_handler_exception(llhttp_errno_t err);
    FeedResult fail(HttpError refusal, std::string_view rest);
    HttpError classify(llhttp_errno_t err);

    // llhttp's callbacks. Every span (method, target, name, value...) may come in pieces, split where the
    // data fed was.
    int message_begin();
    int method(std::string_view s) { head.method.append(s); return 0; }
    int target(std::string_view s) { head.target.append(s); return 0; }
    int version_text(std::string_view s) { version.append(s); return 0; }
    int reason(std::string_view s) { head.reason.append(s); return 0; }
    int field_name(std::string_view s) { field.name.append(s); return 0; }
    int field_name_complete();
    int field_value(std::string_view s) { field.value.append(s); return 0; }
    int field_value_complete();
    int headers_complete();
    int extension(std::string_view s) { return count_extension(s.size()); }
    int extension_complete() { return count_extension(1); }  // its ';' or '='
    int count_extension(size_t bytes);
    int chunk_header();
    int body(std::string_view s) {
        handler.on_body(s);
        return 0;
    }
    int message_complete();

    std::optional<HttpError> check_head() const;
    int response_body();
    HttpError refusal(HttpErrorKind kind, std::string reason) const;
    int refuse(HttpErrorKind kind, std::string reason) { return refuse(refusal(kind, std::move(reason))); }
    int refuse(HttpError e);

    // A handler's exception must not unwind through llhttp's C frames: it is kept, llhttp is stopped
    // (HPE_USER), and execute() throws it again.
    template <int (Impl::*callback)()>
    static int on(llhttp_t* p) {
        auto& self = *static_cast<Impl*>(p->data);
        try {
            return (self.*callback)();
        } catch (...) {
            self.exception = std::current_exception();
            return HPE_USER;
        }
    }
    template <int (Impl::*callback)(std::string_view)>
    static int on_span(llhttp_t* p, const char* at, size_t length) {
        auto& self = *static_cast<Impl*>(p->data);
        try {
            return (self.*callback)({at, length});
        } catch (...) {
            self.exception = std::current_exception();
            return HPE_USER;
        }
    }
    static const llhttp_settings_t& settings();

    llhttp_t parser;
    HttpDirection direction;
    Handler& handler;
    HttpLimits limits;
    HeadScanner scanner;

    MessageHead head;
    HeaderFields trailers;
    HeaderField field;             // the field being read
    std::string version;           // as sent: tells an unsupported version (505) from a malformed one (400)
    std::string answered_method;   // responses: the request's method (expect_response_to)
    bool in_trailers = false;
    size_t extension_bytes = 0;
    Flow flow = Flow::Continue;    // the handler's word at the last message end
    // Why llhttp last paused: after a message, or at the last chunk, for the scanner to read the trailers.
    enum class Stop { MessageEnd, Trailers } stop = Stop::MessageEnd;
    bool upgraded = false;         // llhttp waits in HPE_PAUSED_UPGRADE
    // Paused right after a message: llhttp has not yet marked the connection as cleanly between messages
    // (it does that when it reads on), so a close now would look to it like one inside a message.
    bool after_message = false;

    std::optional<HttpError> error;             // sticks: the connection is done
    std::optional<HttpError> callback_refusal;  // why a callback stopped llhttp
    std::exception_ptr exception;
};

const llhttp_settings_t& HttpParser::Impl::settings() {
    static const llhttp_settings_t settings = [] {
        llhttp_settings_t s;
        llhttp_settings_init(&s);
        s.on_message_begin = on<&Impl::message_begin>;
        s.on_method = on_span<&Impl::method>;
        s.on_url = on_span<&Impl::target>;
        s.on_version = on_span<&Impl::version_text>;
        s.on_status = on_span<&Impl::reason>;
        s.on_header_field = on_span<&Impl::field_name>;
        s.on_header_field_complete = on<&Impl::field_name_complete>;
        s.on_header_value = on_span<&Impl::field_value>;
        s.on_header_value_complete = on<&Impl::field_value_complete>;
        s.on_headers_complete = on<&Impl::headers_complete>;
        s.on_chunk_extension_name = on_span<&Impl::extension>;
        s.on_chunk_extension_name_complete = on<&Impl::extension_complete>;
        s.on_chunk_extension_value = on_span<&Impl::extension>;
        s.on_chunk_extension_value_complete = on<&Impl::extension_complete>;
        s.on_chunk_header = on<&Impl::chunk_header>;
        s.on_body = on_span<&Impl::body>;
        s.on_message_complete = on<&Impl::message_complete>;
        return s;
    }();
    return settings;
}

HttpParser::Impl::Impl(HttpDirection direction, Handler& handler, HttpLimits limits)
    : direction(direction), handler(handler), limits(limits), scanner(direction, limits) {
    llhttp_init(&parser, direction == HttpDirection::Request ? HTTP_REQUEST : HTTP_RESPONSE, &settings());
    parser.data = this;
    scanner.start(HeadScanner::Section::Head);
}

int HttpParser::Impl::message_begin() {
    // Cleared member by member: the strings and the field list keep their memory for the next message.
    head.method.clear();
    head.target.clear();
    head.status = 0;
    head.reason.clear();
    head.version = {};
    head.fields.clear();
    head.content_length.reset();
    head.chunked = head.keep_alive = head.upgrade = false;
    trailers.clear();
    field = HeaderField{};
    version.clear();
    in_trailers = false;
    extension_bytes = 0;
    flow = Flow::Continue;
    after_message = false;
    return 0;
}

int HttpParser::Impl::field_name_complete() {
    if (field.name.empty()) return refuse(HttpErrorKind::Malformed, "a field with an empty name");
    return 0;
}

int HttpParser::Impl::field_value_complete() {
    trim_end(field.value);  // llhttp skips the whitespace before a value, not after it
    (in_trailers ? trailers : head.fields).add(std::move(field.name), std::move(field.value));
    field = HeaderField{};
    return 0;
}

int HttpParser::Impl::headers_complete() {
    head.version = {llhttp_get_http_major(&parser), llhttp_get_http_minor(&parser)};
    if (direction == HttpDirection::Response) head.status = llhttp_get_status_code(&parser);
    if (auto problem = check_head()) return refuse(std::move(*problem));

    if (parser.flags & F_CONTENT_LENGTH) head.content_length = parser.content_length;
    head.chunked = (parser.flags & F_CHUNKED) != 0;
    int body = direction == HttpDirection::Response ? response_body() : read_body;
    head.upgrade = body == tunnel || parser.upgrade;
    head.keep_alive = llhttp_should_keep_alive(&parser) != 0;
    handler.on_head(head);
    return body;
}

// What llhttp 8.1's strict mode accepts and the front does not.
std::optional<HttpError> HttpParser::Impl::check_head() const {
    const auto& v = head.version;
    // llhttp takes HTTP/0.9 (a request line without a version, too) and HTTP/2.0.
    if (v.major != 1 || v.minor > 1) {
        return refusal(HttpErrorKind::UnsupportedVersion,
                       fmt::format("HTTP/{}.{} is not supported, only HTTP/1.0 and HTTP/1.1", v.major, v.minor));
    }
    if (direction == HttpDirection::Request) {
        // The authority the request is routed by: one, and only one (RFC 9112 §3.2).
        size_t hosts = head.fields.count("Host");
        if (hosts > 1) return refusal(HttpErrorKind::Malformed, "more than one Host field");
        if (hosts == 0 && v.minor == 1) {
            return refusal(HttpErrorKind::Malformed, "an HTTP/1.1 request without Host");
        }
        // llhttp takes the bytes after a CONNECT head for the tunnel whatever the fields say; a server behind
        // could read them as the body they announce.
        bool announces_body = (parser.flags & F_CONTENT_LENGTH && parser.content_length > 0) ||
                              (parser.flags & F_TRANSFER_ENCODING);
        if (parser.method == HTTP_CONNECT && announces_body) {
            return refusal(HttpErrorKind::Smuggling, "a CONNECT request that announces a body");
        }
    } else if (head.status < 100 || head.status > 599) {
        return refusal(HttpErrorKind::Malformed, fmt::format("status {} is not in 100-599", head.status));
    }
    if (parser.flags & F_TRANSFER_ENCODING) {
        // An HTTP/1.0 peer may not know Transfer-Encoding: its framing is faulty (RFC 9112 §6.1).
        if (v.minor == 0) return refusal(HttpErrorKind::Smuggling, "Transfer-Encoding in an HTTP/1.0 message");
        auto codings = head.fields.list("Transfer-Encoding");
        bool only_chunked = codings.size() == 1 && equals_ignoring_case(codings[0], "chunked");
        // A request whose last coding is not chunked llhttp refuses itself (400) once this returns; any
        // other coding is one the front could not pass on.
        bool llhttp_refuses = direction == HttpDirection::Request && !(parser.flags & F_CHUNKED);
        if (!only_chunked && !llhttp_refuses) {
            return refusal(HttpErrorKind::UnsupportedCoding,
                           fmt::format("Transfer-Encoding \"{}\": only chunked is supported",
                                       fmt::join(codings, ", ")));
        }
    }
    return std::nullopt;
}

// Responses whose body the fields do not describe: llhttp reads a Content-Length's worth of body after a
// 1xx, 204 or 304, and cannot know the request was HEAD or CONNECT.
int HttpParser::Impl::response_body() {
    int status = head.status;
    bool to_head = answered_method == "HEAD";
    bool to_connect = answered_method == "CONNECT";
    if (status >= 200) answered_method.clear();  // an interim response leaves it for the final one
    if (to_connect && status / 100 == 2) return tunnel;
    if (status / 100 == 1 || status == 204 || status == 304 || to_head) {
        // llhttp sets this when told no_body; set now, llhttp_should_keep_alive sees it too (else a bodiless
        // response without Content-Length looks as if it ran until the connection closes).
        parser.flags |= F_SKIPBODY;
        return no_body;
    }
    return read_body;
}

int HttpParser::Impl::count_extension(size_t bytes) {
    extension_bytes += bytes;
    if (extension_bytes > limits.max_chunk_extension_bytes) {
        return refuse(HttpErrorKind::ChunkExtensionsTooLarge,
                      fmt::format("chunk extensions longer than {} bytes", limits.max_chunk_extension_bytes));
    }
    return 0;
}

int HttpParser::Impl::chunk_header() {
    if (parser.content_length > 0) return 0;
    // The last chunk: trailer fields follow, lines the scanner reads before llhttp does.
    in_trailers = true;
    stop = Stop::Trailers;
    return HPE_PAUSED;
}

int HttpParser::Impl::message_complete() {
    flow = handler.on_message_end(trailers);
    if (head.upgrade) return 0;  // llhttp stops by itself, with HPE_PAUSED_UPGRADE
    // Always a pause: feed() learns where the message ended, and the scanner starts on the next head there.
    stop = Stop::MessageEnd;
    after_message = true;
    return HPE_PAUSED;
}

HttpError HttpParser::Impl::refusal(HttpErrorKind kind, std::string reason) const {
    return http_error(kind, direction, std::move(reason));
}

int HttpParser::Impl::refuse(HttpError e) {
    callback_refusal = std::move(e);
    return HPE_USER;
}

llhttp_errno_t HttpParser::Impl::execute(std::string_view bytes) {
    return rethrow_handler_exception(llhttp_execute(&parser, bytes.data(), bytes.size()));
}

llhttp_errno_t HttpParser::Impl::finish() { return rethrow_handler_exception(llhttp_finish(&parser)); }

llhttp_errno_t HttpParser::Impl::rethrow_handler_exception(llhttp_errno_t err) {
    if (exception) {
        error = http_error(HttpErrorKind::HandlerFailed, direction, "the message handler threw");
        std::rethrow_exception(std::exchange(exception, nullptr));
    }
    return err;
}

HttpParser::FeedResult HttpParser::Impl::fail(HttpError refusal, std::string_view rest) {
    error = std::move(refusal);
    return {Status::Failed, rest};
}

HttpError HttpParser::Impl::classify(llhttp_errno_t err) {
    // Our own checks' refusal: llhttp reports it as HPE_USER, or HPE_CB_HEADERS_COMPLETE from that callback.
    if (callback_refusal) return std::move(*std::exchange(callback_refusal, std::nullopt));
    const char* said = llhttp_get_error_reason(&parser);
    std::string reason = said && *said ? said : llhttp_errno_name(err);
    switch (err) {
    case HPE_INVALID_METHOD: return refusal(HttpErrorKind::UnknownMethod, "unknown method");
    case HPE_INVALID_VERSION:
        // A well-formed number llhttp does not take (1.2, 3.0) is a version the front does not speak; 1.0 and
        // 1.1 fail here only for what follows them.
        if (is_version_number(version) && version != "1.0" && version != "1.1") {
            return refusal(HttpErrorKind::UnsupportedVersion,
                           fmt::format("HTTP/{} is not supported, only HTTP/1.0 and HTTP/1.1", version));
        }
        return refusal(HttpErrorKind::Malformed, reason);
    case HPE_UNEXPECTED_CONTENT_LENGTH:  // with Transfer-Encoding, or twice
    case HPE_INVALID_CONTENT_LENGTH:
    case HPE_INVALID_TRANSFER_ENCODING: return refusal(HttpErrorKind::Smuggling, reason);
    case HPE_CLOSED_CONNECTION: return refusal(HttpErrorKind::DataAfterClose, reason);
    case HPE_PAUSED_H2_UPGRADE:
        return refusal(HttpErrorKind::UnsupportedVersion, "the HTTP/2 connection preface, not HTTP/1.x");
    case HPE_INVALID_EOF_STATE: return refusal(HttpErrorKind::Truncated, "the connection ended inside a message");
    default: return refusal(HttpErrorKind::Malformed, reason);
    }
}

HttpParser::HttpParser(HttpDirection direction, Handler& handler, HttpLimits limits)
    : impl_(std::make_unique<Impl>(direction, handler, limits)) {}

HttpParser::~HttpParser() = default;

HttpParser::FeedResult HttpParser::feed(std::string_view bytes) {
    auto& s = *impl_;
    if (s.error) return {Status::Failed, bytes};
    if (s.upgraded) {
        // Fed again after an upgrade: it was refused (no 101), and the connection goes on in HTTP/1.x.
        llhttp_resume_after_upgrade(&s.parser);
        s.upgraded = false;
    }
    while (!bytes.empty()) {
        if (s.scanner.active()) {
            auto scan = s.scanner.scan(bytes);
            if (scan.error) return s.fail(std::move(*scan.error), bytes);
        }
        auto err = s.execute(bytes);
        if (err == HPE_OK) break;
        bytes.remove_prefix(size_t(llhttp_get_error_pos(&s.parser) - bytes.data()));
        if (err == HPE_PAUSED) {
            llhttp_resume(&s.parser);
            if (s.stop == Impl::Stop::Trailers) {
                s.scanner.start(HeadScanner::Section::Trailers);
                continue;
            }
            s.scanner.start(HeadScanner::Section::Head);
            if (s.flow == Flow::Pause) return {Status::Paused, bytes};
        } else if (err == HPE_PAUSED_UPGRADE) {
            s.upgraded = true;
            s.scanner.start(HeadScanner::Section::Head);
            return {Status::Upgraded, bytes};
        } else {
            return s.fail(s.classify(err), bytes);
        }
    }
    return {Status::Consumed, {}};
}

HttpParser::FeedResult HttpParser::finish() {
    auto& s = *impl_;
    if (s.error) return {Status::Failed, {}};
    if (s.upgraded || s.after_message) return {Status::Consumed, {}};  // (the end of a tunnel is no HTTP error)
    auto err = s.finish();
    if (err == HPE_PAUSED) {
        llhttp_resume(&s.parser);  // the pause after the body that ran until the close
    } else if (err != HPE_OK) {
        return s.fail(s.classify(err), {});
    }
    return {Status::Consumed, {}};
}

void HttpParser::expect_response_to(std::string_view method) { impl_->answered_method = method; }

const std::optional<HttpError>& HttpParser::error() const { return impl_->error; }

}  // namespace hotswap
