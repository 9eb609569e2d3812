#include "ready/probe.hpp"

#include "net/listen_address.hpp"
#include "ready/delay_probe.hpp"
#include "ready/http_probe.hpp"
#include "ready/log_probe.hpp"
#include "ready/notify_probe.hpp"
#include "ready/tcp_probe.hpp"

namespace hotswap {

namespace {

// A spec that did not come through parse_ready_spec() and does not parse: such a probe can never succeed,
// and the supervisor's timeout reports describe(), which says why.
class BrokenProbe final : public ReadinessProbe {
public:
    explicit BrokenProbe(std::string why) : why_(std::move(why)) {}
    void start(std::function<void()>) override {}
    std::string describe() const override { return "nothing: " + why_; }

private:
    std::string why_;
};

}  // namespace

std::unique_ptr<ReadinessProbe> make_probe(EventLoop& loop, const ReadySpec& spec, ProbeTarget target) {
    (void)target;  // notify senders are matched to the process group by the supervisor, before forwarding
    switch (spec.kind) {
        case ReadyKind::Notify: return std::make_unique<NotifyProbe>(loop);
        case ReadyKind::Delay: return std::make_unique<DelayProbe>(loop, spec.delay);
        case ReadyKind::Log:
            try {
                return std::make_unique<LogProbe>(loop, spec.pattern);
            } catch (const std::regex_error& e) {
                return std::make_unique<BrokenProbe>(std::string("invalid regular expression: ") + e.what());
            }
        case ReadyKind::Tcp: {
            auto address = parse_listen_address(spec.address);
            if (!address.ok()) return std::make_unique<BrokenProbe>(address.error().to_string());
            return std::make_unique<TcpProbe>(loop, std::move(address.value()));
        }
        case ReadyKind::Http: {
            auto url = parse_http_url(spec.url);
            if (!url.ok()) return std::make_unique<BrokenProbe>(url.error().to_string());
            return std::make_unique<HttpProbe>(loop, spec.url, std::move(url.value()));
        }
    }
    return std::make_unique<BrokenProbe>("unknown readiness kind");
}

}  // namespace hotswap
