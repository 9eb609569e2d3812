#pragma once
// DelayProbe: ready once the generation has stayed alive for a while. The weakest check (a server that is
// still loading after the delay gets traffic too early), hence only the default with a warning.

#include "ready/probe_base.hpp"

namespace hotswap {

class DelayProbe final : public ProbeBase {
public:
    DelayProbe(EventLoop& loop, Duration delay) : ProbeBase(loop), delay_(delay) {}
    ~DelayProbe() override;
    std::string describe() const override;

private:
    void begin() override;
    Duration delay_;
    EventLoop::Timer timer_;
};

}  // namespace hotswap
