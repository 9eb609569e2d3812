#include "front/head_scanner.hpp"

#include <utility>

#include <fmt/format.h>

namespace hotswap {

void HeadScanner::start(Section section) {
    section_ = section;
    phase_ = section == Section::Head ? Phase::StartLine : Phase::Fields;
    after_cr_ = false;
    line_bytes_ = start_bytes_ = field_bytes_ = field_count_ = 0;
}

HeadScanner::Scan HeadScanner::scan(std::string_view data) {
    Scan result;
    if (!active()) return result;
    while (result.used < data.size() && active()) {
        if (auto error = take(data[result.used++])) {
            phase_ = Phase::Idle;
            result.error = std::move(error);
            return result;
        }
    }
    result.done = !active();
    return result;
}

std::optional<HttpError> HeadScanner::take(char c) {
    if (after_cr_) {
        after_cr_ = false;
        if (c != '\n') return refuse(HttpErrorKind::Smuggling, "a CR not followed by LF");
        return end_line();
    }
    if (c == '\r') {
        after_cr_ = true;
        return std::nullopt;
    }
    if (c == '\n') return refuse(HttpErrorKind::Smuggling, "a line ends in a lone LF, not CRLF");
    if (phase_ == Phase::Fields && line_bytes_ == 0 && (c == ' ' || c == '\t')) {
        return refuse(HttpErrorKind::Smuggling, "obs-fold: a field line starts with whitespace");
    }
    ++line_bytes_;
    // Checked on every byte, so a line that never ends is refused as soon as it is too long.
    if (phase_ == Phase::StartLine && start_bytes_ + line_bytes_ > limits_.max_start_line) {
        return refuse(HttpErrorKind::StartLineTooLong,
                      fmt::format("{} longer than {} bytes",
                                  direction_ == HttpDirection::Request ? "request line" : "status line",
                                  limits_.max_start_line));
    }
    if (phase_ == Phase::Fields && field_bytes_ + line_bytes_ > limits_.max_field_bytes) return too_many_bytes();
    return std::nullopt;
}

std::optional<HttpError> HeadScanner::end_line() {
    size_t line = std::exchange(line_bytes_, 0);
    if (phase_ == Phase::StartLine) {
        if (line > 0) {
            phase_ = Phase::Fields;
            return std::nullopt;
        }
        start_bytes_ += 2;
        if (start_bytes_ > limits_.max_start_line) {
            return refuse(HttpErrorKind::StartLineTooLong,
                          fmt::format("more than {} bytes of empty lines before the start line",
                                      limits_.max_start_line));
        }
        return std::nullopt;
    }
    if (line == 0) {
        phase_ = Phase::Idle;
        return std::nullopt;
    }
    field_bytes_ += line + 2;
    if (field_bytes_ > limits_.max_field_bytes) return too_many_bytes();
    if (++field_count_ > limits_.max_field_count) {
        return refuse(HttpErrorKind::FieldsTooLarge,
                      fmt::format("more than {} {} fields", limits_.max_field_count, section_name()));
    }
    return std::nullopt;
}

HttpError HeadScanner::too_many_bytes() const {
    return refuse(HttpErrorKind::FieldsTooLarge,
                  fmt::format("{} section larger than {} bytes", section_name(), limits_.max_field_bytes));
}

const char* HeadScanner::section_name() const { return section_ == Section::Head ? "header" : "trailer"; }

HttpError HeadScanner::refuse(HttpErrorKind kind, std::string reason) const {
    return http_error(kind, direction_, std::move(reason));
}

}  // namespace hotswap
