#include "front/http_error.hpp"

namespace hotswap {

namespace {
int request_status(HttpErrorKind kind) {
    switch (kind) {
    case HttpErrorKind::Malformed:
    case HttpErrorKind::Smuggling:
    case HttpErrorKind::DataAfterClose:
    case HttpErrorKind::Truncated: return 400;
    case HttpErrorKind::StartLineTooLong: return 414;
    case HttpErrorKind::FieldsTooLarge: return 431;
    case HttpErrorKind::ChunkExtensionsTooLarge: return 413;
    case HttpErrorKind::UnknownMethod:
    case HttpErrorKind::UnsupportedCoding: return 501;
    case HttpErrorKind::UnsupportedVersion: return 505;
    case HttpErrorKind::HandlerFailed: return 500;
    }
    return 400;
}
}  // namespace

HttpError http_error(HttpErrorKind kind, HttpDirection direction, std::string reason) {
    // The client did nothing wrong when the upstream's answer is bad: to it, that is a bad gateway.
    bool upstreams_fault = direction == HttpDirection::Response && kind != HttpErrorKind::HandlerFailed;
    int status = upstreams_fault ? 502 : request_status(kind);
    return {kind, status, std::move(reason)};
}

}  // namespace hotswap
