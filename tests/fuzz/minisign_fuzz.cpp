// libFuzzer: the minisign parsers `hotswap serve --verify-key` runs on files an attacker may control
// (BINARY.minisig): any text is refused with a sentence or parsed into fixed-size fields, never a crash.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "artifact/binary_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto signature = hotswap::parse_minisign_signature(text);
    if (!signature && signature.error().to_string().empty()) std::abort();
    auto key = hotswap::parse_minisign_public_key(text);
    if (key) (void)hotswap::format_key_id(key->key_id);
    else if (key.error().to_string().empty()) std::abort();
    return 0;
}
