#include "net/proxy_buffer.hpp"

#include <cstring>

namespace hotswap {

std::span<char> ProxyBuffer::space() {
    if (!data_) data_ = std::make_unique_for_overwrite<char[]>(capacity_);
    if (end_ == capacity_ && start_ > 0) {
        std::memmove(data_.get(), data_.get() + start_, end_ - start_);
        sent_ -= start_;
        end_ -= start_;
        start_ = 0;
    }
    return {data_.get() + end_, capacity_ - end_};
}

void ProxyBuffer::filled(size_t n) { end_ += n; }

void ProxyBuffer::consumed(size_t n) {
    sent_ += n;
    if (!retaining_) start_ = sent_;
    release_if_idle();
}

void ProxyBuffer::stop_retaining() {
    retaining_ = false;
    start_ = sent_;
    release_if_idle();
}

void ProxyBuffer::release_if_idle() {
    if (start_ != end_) return;
    start_ = sent_ = end_ = 0;
    data_.reset();
}

}  // namespace hotswap
