#include "front/http_rules.hpp"

#include <algorithm>
#include <array>

namespace hotswap {

bool is_hop_by_hop(std::string_view name) {
    static constexpr std::array<std::string_view, 7> fixed = {
        "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
    };
    auto is_name = [&](std::string_view f) { return equals_ignoring_case(f, name); };
    return std::any_of(fixed.begin(), fixed.end(), is_name);
}

bool is_hop_by_hop(std::string_view name, const HeaderFields& fields) {
    return is_hop_by_hop(name) || fields.has_token("Connection", name);
}

bool is_idempotent(std::string_view method, const HeaderFields& fields) {
    // Methods are case-sensitive: "get" is not GET.
    static constexpr std::array<std::string_view, 6> idempotent = {
        "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE",
    };
    return std::find(idempotent.begin(), idempotent.end(), method) != idempotent.end() ||
           fields.find("Idempotency-Key").has_value();
}

bool expects_continue(const MessageHead& request) {
    // An HTTP/1.0 client cannot know a 100 and does not wait for one (RFC 9110 §10.1.1).
    return request.version == HttpVersion{1, 1} && request.fields.has_token("Expect", "100-continue");
}

}  // namespace hotswap
