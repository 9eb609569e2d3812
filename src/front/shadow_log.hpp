#pragma once
// ShadowLog: the last distinct GET and HEAD requests of live traffic, with what the serving generation
// answered, for a shadow replay against a new generation before it gets any traffic ([check] shadow).
// "Distinct" is method + target: a page asked a thousand times is kept once, with its latest answer.
// Only idempotent requests without a body are kept, so a replay can never repeat what a user meant once.

#include <cstddef>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace hotswap {

struct ShadowRequest {
    std::string method;      // GET or HEAD
    std::string target;      // "/api/users?page=2"
    std::string head;        // the head as it went to the app ("GET … HTTP/1.1\r\n…\r\n\r\n")
    int status = 0;          // what the serving generation answered
    int generation = 0;      // which one answered it
};

class ShadowLog {
public:
    // capacity 0: nothing is kept (shadow off).
    explicit ShadowLog(size_t capacity) : capacity_(capacity) {}

    // Keeps the request if it may be replayed (GET or HEAD, no body, head no larger than kMaxHead); the
    // same method + target replaces its older entry. The oldest entry goes when the log is full.
    void record(std::string_view method, std::string_view target, std::string_view head, int status,
                int generation, bool has_body);
    // Newest first.
    std::vector<ShadowRequest> latest() const;
    size_t size() const { return entries_.size(); }
    size_t capacity() const { return capacity_; }

    // A head larger than this is not kept: a shadow log of N requests stays within N × 16 KiB.
    static constexpr size_t kMaxHead = 16 * 1024;

private:
    size_t capacity_;
    std::list<ShadowRequest> entries_;  // newest first
    std::unordered_map<std::string, std::list<ShadowRequest>::iterator> by_key_;
};

// May this request be kept for a replay: GET or HEAD, exactly (methods are case-sensitive), without a body.
bool shadow_replayable(std::string_view method, bool has_body);

}  // namespace hotswap
