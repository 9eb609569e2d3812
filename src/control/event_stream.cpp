#include "control/event_stream.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <ctime>

#include <fmt/core.h>

namespace hotswap {

Result<EventStream> EventStream::open(std::string_view target) {
    EventStream s;
    if (target == "-") {
        s.fd_ = STDOUT_FILENO;
        return s;
    }
    std::string path(target);
    s.owned_.reset(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    if (!s.owned_) return Error::from_errno("open", path, errno);
    s.fd_ = s.owned_.get();
    return s;
}

void EventStream::emit(std::string_view event, nlohmann::json fields) {
    if (fd_ < 0) return;
    auto now = std::chrono::system_clock::now();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    std::time_t secs = std::time_t(ms / 1000);
    std::tm tm{};
    ::gmtime_r(&secs, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    nlohmann::json line = nlohmann::json::object();
    line["time"] = fmt::format("{}.{:03}Z", stamp, ms % 1000);
    line["event"] = std::string(event);
    for (auto& [k, v] : fields.items()) line[k] = v;
    std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    // One write per line (O_APPEND), so concurrent readers never see half an event.
    ssize_t ignored = ::write(fd_, text.data(), text.size());
    (void)ignored;
}

}  // namespace hotswap
