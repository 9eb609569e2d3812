#pragma once
// Result<T>: a value or an Error. GCC 12 has no std::expected in C++20, so this is the small subset we use.

#include <cassert>
#include <utility>
#include <variant>

#include "core/error.hpp"

namespace hotswap {

template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : storage_(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : storage_(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return storage_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { assert(ok()); return std::get<0>(storage_); }
    const T& value() const& { assert(ok()); return std::get<0>(storage_); }
    T&& value() && { assert(ok()); return std::get<0>(std::move(storage_)); }
    T& operator*() & { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const { assert(!ok()); return std::get<1>(storage_); }
    Error&& take_error() { assert(!ok()); return std::get<1>(std::move(storage_)); }

private:
    std::variant<T, Error> storage_;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : error_(std::move(error)), failed_(true) {}

    bool ok() const { return !failed_; }
    explicit operator bool() const { return ok(); }
    const Error& error() const { assert(failed_); return error_; }
    Error&& take_error() { assert(failed_); return std::move(error_); }

private:
    Error error_;
    bool failed_ = false;
};

}  // namespace hotswap

// Propagates an error to the caller, like SerenityOS's TRY(), without GNU statement expressions:
//   HS_TRY(fd, open_thing());   declares `fd` holding the value, or returns the error.
#define HS_TRY(var, expr)                                         \
    auto var##_result_ = (expr);                                  \
    if (!var##_result_.ok()) return var##_result_.take_error();   \
    auto var = std::move(var##_result_).value()
#define HS_TRY_VOID(expr)                                         \
    do {                                                          \
        auto hs_result_ = (expr);                                 \
        if (!hs_result_.ok()) return hs_result_.take_error();     \
    } while (0)
