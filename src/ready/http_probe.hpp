#pragma once
// HttpProbe: ready when GET <url> answers 2xx. One request per connection (Connection: close), retried
// until it succeeds.

#include <string>

#include "ready/async_connect.hpp"
#include "ready/http_url.hpp"
#include "ready/retrying_probe.hpp"

namespace hotswap {

class HttpProbe final : public RetryingProbe {
public:
    HttpProbe(EventLoop& loop, std::string url, HttpUrl parsed);
    ~HttpProbe() override;
    std::string describe() const override;

    // "HTTP/1.1 204 No Content" → 204; -1 when the line is not an HTTP status line.
    static int parse_status_line(std::string_view line);

private:
    void attempt() override;
    void abandon_attempt() override;
    void on_connected(FileDescriptor fd);
    void on_readable();
    void close_connection();

    std::string url_;
    HttpUrl parsed_;
    AsyncConnect connect_;
    FileDescriptor conn_;
    bool registered_ = false;
    std::string response_;
};

}  // namespace hotswap
