#pragma once
// ProxyBuffer: the bytes of one direction of a proxied connection, read from one socket and not yet written
// to the other. Bounded (the reader stops when it is full: back-pressure), allocated only while it holds
// something, so an idle keep-alive connection costs no buffer memory.
//
// It can also *retain* what was written: until the upstream has answered, the client's bytes are kept so the
// connection can be replayed to the next generation when the old one resets it without a word (a connection
// still in its accept queue when it closed its listener). Retention ends at the first answer, or when the
// bytes no longer fit.

#include <cstddef>
#include <memory>
#include <span>

namespace hotswap {

class ProxyBuffer {
public:
    ProxyBuffer(size_t capacity, bool retain) : capacity_(capacity), retaining_(retain) {}

    // Room for the next read (allocating and compacting as needed); empty when the buffer is full.
    std::span<char> space();
    void filled(size_t n);

    // The bytes to write next.
    std::span<const char> pending() const { return {data_.get() + sent_, end_ - sent_}; }
    bool has_pending() const { return end_ > sent_; }
    void consumed(size_t n);

    bool retaining() const { return retaining_; }
    size_t retained() const { return sent_ - start_; }
    // Written bytes are let go from now on (and those held so far are dropped).
    void stop_retaining();
    // Everything retained becomes pending again, for a replay.
    void rewind() { sent_ = start_; }

private:
    void release_if_idle();

    std::unique_ptr<char[]> data_;
    size_t capacity_;
    bool retaining_;
    size_t start_ = 0;  // first byte held (retained or pending)
    size_t sent_ = 0;   // first pending byte
    size_t end_ = 0;    // end of the data
};

}  // namespace hotswap
