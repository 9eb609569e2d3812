#pragma once
// The cookie of a sticky shift ([shift] sticky = "cookie"): while a gradual shift is under way, the front
// names in it the version a browser's first request went to, so that the page and its assets come from one
// version. It means nothing outside a shift, and the front never strips it: the app sees it as sent.

#include <string_view>

#include "front/header_fields.hpp"

namespace hotswap {

inline constexpr std::string_view kStickyCookie = "hotswap_version";

// The generation a request's Cookie fields name (hotswap_version=7); 0 when none does.
int sticky_cookie_generation(const HeaderFields& fields);

}  // namespace hotswap
