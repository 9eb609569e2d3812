#pragma once
// ReadySpec: how hotswap decides that a new generation is ready to take over (DESIGN.md §5), as given by
// `--ready` or `[ready] kind = …`.

#include <string>
#include <string_view>

#include "core/duration.hpp"
#include "core/result.hpp"

namespace hotswap {

enum class ReadyKind { Notify, Http, Tcp, Log, Delay };

struct ReadySpec {
    ReadyKind kind = ReadyKind::Delay;
    std::string url;      // Http: "http://127.0.0.1:8080/health"
    std::string address;  // Tcp: "127.0.0.1:8080", "[::1]:9000", "unix:///run/app.sock"
    std::string pattern;  // Log: an ECMAScript regular expression, searched in each output line
    Duration delay{500};  // Delay
    bool is_default = true;  // nothing was configured: the supervisor warns and says how to do better
};

// "notify" | "http:URL" | "tcp:ADDR" | "log:REGEX" | "delay:MS" where MS is a number of milliseconds or a
// duration ("500ms", "2s"). Validates what can be validated now (URL form, address, regex syntax) so a
// mistake is a configuration error at start, not a generation that never becomes ready.
Result<ReadySpec> parse_ready_spec(std::string_view text);

// "notify", "http:http://127.0.0.1:8080/", …: the form parse_ready_spec() reads.
std::string to_string(const ReadySpec& spec);
std::string_view to_string(ReadyKind kind);

}  // namespace hotswap
