#pragma once
// Live reload's injection (issue "browser live reload"): which responses get the one script tag, and where
// it goes. Pure functions over heads and bytes; ClientConnection holds the response while it is rewritten.
// Only a page a browser navigates to is touched: a GET for HTML that is not a fragment (htmx, Turbo
// frames), not a range, answered 2xx with an uncompressed text/html body that is not a download. Anything
// else passes through byte for byte.

#include <string>
#include <string_view>

#include "front/http_message.hpp"

namespace hotswap {

// The path prefix the front answers itself when live reload is on; the app never sees these requests.
inline constexpr std::string_view kLiveReloadPrefix = "/__hotswap/";

// A request for a page: GET, Accept naming text/html, not Range, HX-Request, Turbo-Frame, nor a fetch
// whose Sec-Fetch-Dest says it is not a document.
bool wants_injection(const MessageHead& request);
// The request as it goes to the app when its page may be injected: Accept-Encoding dropped, so that the
// app answers with identity (a compressed page is passed on untouched).
void ask_for_identity(MessageHead& request);
// A response whose body gets the script: 2xx but 204/206, text/html, no Content-Encoding (or identity), no
// Content-Disposition: attachment.
bool injectable_response(const MessageHead& response);
// The script-src nonce of the response's Content-Security-Policy ('nonce-…'), empty when none: the tag
// carries it, so a page with a strict CSP runs it.
std::string csp_nonce(const MessageHead& response);
// <script src="/__hotswap/live.js" data-hotswap-generation="N" nonce="…"></script>
std::string live_reload_tag(int generation, std::string_view nonce);
// `html` with `tag` before its last </body>; else before its last </html>; else at the end.
std::string inject_tag(std::string_view html, std::string_view tag);

}  // namespace hotswap
