#include "artifact/file_hash.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include "core/file_descriptor.hpp"

namespace hotswap {

Result<std::string> sha256_file(const std::filesystem::path& path) {
    FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return Error::from_errno("open", path.string(), errno);
    static const int sodium_ready = sodium_init();  // idempotent; hashing needs no randomness but init is cheap
    (void)sodium_ready;
    crypto_hash_sha256_state state;
    crypto_hash_sha256_init(&state);
    unsigned char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            return Error::from_errno("read", path.string(), errno);
        }
        if (n == 0) break;
        crypto_hash_sha256_update(&state, buf, size_t(n));
    }
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&state, digest);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (unsigned char b : digest) {
        hex.push_back(kHex[b >> 4]);
        hex.push_back(kHex[b & 15]);
    }
    return hex;
}

}  // namespace hotswap
