#include "front/protocol_guess.hpp"

namespace hotswap {

ProtocolGuess guess_protocol(std::string_view bytes) {
    while (bytes.starts_with("\r\n")) bytes.remove_prefix(2);
    if (bytes == "\r") return ProtocolGuess::NeedMore;
    // The longest method in use is 17 letters (VERSION-CONTROL; UPDATEREDIRECTREF); 20 leaves room.
    constexpr size_t kLongestMethod = 20;
    for (size_t i = 0; i < bytes.size(); ++i) {
        const char c = bytes[i];
        if (c == ' ') {
            if (i == 0) return ProtocolGuess::Other;
            // The HTTP/2 connection preface: prior-knowledge HTTP/2 goes through as bytes.
            return bytes.substr(0, i) == "PRI" ? ProtocolGuess::Other : ProtocolGuess::Http;
        }
        const bool method_char = (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
        if (!method_char || i >= kLongestMethod) return ProtocolGuess::Other;
    }
    return ProtocolGuess::NeedMore;
}

}  // namespace hotswap
