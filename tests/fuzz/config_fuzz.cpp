// libFuzzer: hotswap.toml text → Config. Any input may be refused with an Error; none may crash, hang,
// leak or trip the sanitizers. The loader reads a path, so the input is served from a memfd.

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "config/config_file.hpp"

namespace {

int input_fd() {
    static const int fd = [] {
        int f = ::memfd_create("hotswap.toml", MFD_CLOEXEC);
        if (f < 0) std::abort();
        return f;
    }();
    return fd;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const int fd = input_fd();
    if (::ftruncate(fd, 0) != 0) std::abort();
    for (size_t done = 0; done < size;) {
        ssize_t n = ::pwrite(fd, data + done, size - done, off_t(done));
        if (n <= 0) std::abort();
        done += size_t(n);
    }
    hotswap::Config config;
    auto result = hotswap::read_config_file("/proc/self/fd/" + std::to_string(fd), config);
    if (!result.ok() && result.error().to_string().empty()) std::abort();  // every refusal says why
    return 0;
}
