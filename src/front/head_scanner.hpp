#pragma once
// HeadScanner: reads the raw bytes of a message head (start line and header fields) or of a trailer
// section just before llhttp parses them, for what llhttp 8.1 lets through and the front refuses:
// - a line end other than CRLF: llhttp takes a lone LF after the start line and as the empty line that ends
//   the head or the trailers (the framing disagreement of CVE-2023-30589);
// - obs-fold, a field continued on a line that starts with whitespace, which llhttp joins to the value;
// - the limits, counted on the raw bytes (whitespace llhttp skips included), before anything is kept.
// It only frames lines: the section ends at the first empty line, where llhttp ends it too once every line
// end is a CRLF.

#include <cstddef>
#include <optional>
#include <string_view>

#include "front/http_error.hpp"
#include "front/http_limits.hpp"

namespace hotswap {

class HeadScanner {
public:
    enum class Section {
        Head,      // empty lines (skipped, as RFC 9112 §2.2 allows), the start line, fields, the empty line
        Trailers,  // fields and the empty line
    };
    struct Scan {
        size_t used = 0;                 // bytes of the section in the data scanned (all of it until done)
        bool done = false;               // the section ended within the data
        std::optional<HttpError> error;  // the section is refused
    };

    HeadScanner(HttpDirection direction, const HttpLimits& limits) : direction_(direction), limits_(limits) {}

    void start(Section section);
    bool active() const { return phase_ != Phase::Idle; }
    // The next bytes of the message: scanned up to the section's end, which makes the scanner inactive.
    Scan scan(std::string_view data);

private:
    enum class Phase { Idle, StartLine, Fields };
    std::optional<HttpError> take(char c);
    std::optional<HttpError> end_line();
    HttpError refuse(HttpErrorKind kind, std::string reason) const;
    HttpError too_many_bytes() const;
    const char* section_name() const;

    HttpDirection direction_;
    HttpLimits limits_;
    Section section_ = Section::Head;
    Phase phase_ = Phase::Idle;
    bool after_cr_ = false;
    size_t line_bytes_ = 0;   // of the current line, its line end not counted
    size_t start_bytes_ = 0;  // the empty lines before the start line
    size_t field_bytes_ = 0;  // the field lines before the current one, CRLFs included
    size_t field_count_ = 0;
};

}  // namespace hotswap
