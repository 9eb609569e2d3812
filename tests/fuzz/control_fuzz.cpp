// libFuzzer: the control protocol, both ways.
// - A request line from a client → parse_control_request: refused with a sentence, or a request that
//   survives a round trip through its JSON form unchanged.
// - An answer from a supervisor → the client's rendering (format_status, format_history): never a crash,
//   whatever types the fields have.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "control/client_output.hpp"
#include "control/protocol.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view line(reinterpret_cast<const char*>(data), size);

    auto request = hotswap::parse_control_request(line);
    if (request) {
        auto again = hotswap::parse_control_request(hotswap::to_json(*request).dump());
        if (!again || again->command != request->command || again->artifact != request->artifact) std::abort();
    } else if (request.error().to_string().empty()) {
        std::abort();
    }

    auto answer = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!answer.is_discarded()) {
        (void)hotswap::format_status(answer);
        (void)hotswap::format_history(answer);
        (void)hotswap::control_line(answer);
    }
    return 0;
}
