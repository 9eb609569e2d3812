#pragma once
// TcpProbe: ready when a connection to the address succeeds. Meant for proxy mode, where the generation
// binds its own private port: on a socket hotswap itself holds (fd mode), connect() succeeds at once because
// the kernel completes the handshake from the shared queue, so there it proves nothing.

#include "net/listen_address.hpp"
#include "ready/async_connect.hpp"
#include "ready/retrying_probe.hpp"

namespace hotswap {

class TcpProbe final : public RetryingProbe {
public:
    TcpProbe(EventLoop& loop, ListenAddress target) : RetryingProbe(loop), target_(std::move(target)), connect_(loop) {}
    std::string describe() const override;

private:
    void attempt() override;
    void abandon_attempt() override { connect_.cancel(); }

    ListenAddress target_;
    AsyncConnect connect_;
};

}  // namespace hotswap
