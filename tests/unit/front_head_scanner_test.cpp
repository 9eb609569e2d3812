#include <gtest/gtest.h>

#include "front/head_scanner.hpp"

using namespace hotswap;
using Section = HeadScanner::Section;

namespace {
HeadScanner::Scan scan(std::string_view bytes, Section section = Section::Head, HttpLimits limits = {},
                       HttpDirection direction = HttpDirection::Request) {
    HeadScanner scanner(direction, limits);
    scanner.start(section);
    return scanner.scan(bytes);
}
}  // namespace

TEST(FrontHeadScanner, StopsWhereTheHeadEnds) {
    auto s = scan("GET / HTTP/1.1\r\nHost: a\r\n\r\nbody\nwith lone LFs\r");
    EXPECT_TRUE(s.done);
    EXPECT_FALSE(s.error);
    EXPECT_EQ(s.used, 27u);  // the body is not the scanner's
}

TEST(FrontHeadScanner, InPieces) {
    HeadScanner scanner(HttpDirection::Request, {});
    scanner.start(Section::Head);
    EXPECT_TRUE(scanner.active());
    auto s = scanner.scan("GET / HTTP/1.1\r");
    EXPECT_FALSE(s.done);
    EXPECT_EQ(s.used, 15u);
    s = scanner.scan("\nHost: a\r\n\r");
    EXPECT_FALSE(s.done);
    EXPECT_FALSE(s.error);
    s = scanner.scan("\nrest");
    EXPECT_TRUE(s.done);
    EXPECT_EQ(s.used, 1u);
    EXPECT_FALSE(scanner.active());
    EXPECT_EQ(scanner.scan("more").used, 0u);  // inactive until started again
}

TEST(FrontHeadScanner, EmptyLinesBeforeTheStartLineAreSkipped) {
    auto s = scan("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
    EXPECT_TRUE(s.done);
    EXPECT_EQ(s.used, 31u);
    // ...but count against the start line's limit, so they cannot go on forever.
    std::string many;
    for (int i = 0; i < 5000; ++i) many += "\r\n";
    EXPECT_EQ(scan(many).error->kind, HttpErrorKind::StartLineTooLong);
}

TEST(FrontHeadScanner, Trailers) {
    auto s = scan("X-Sum: 1\r\n\r\nnext", Section::Trailers);
    EXPECT_TRUE(s.done);
    EXPECT_EQ(s.used, 12u);
    EXPECT_TRUE(scan("\r\n", Section::Trailers).done);  // none
    EXPECT_EQ(scan(" folded\r\n\r\n", Section::Trailers).error->kind, HttpErrorKind::Smuggling);
    HttpLimits one_field;
    one_field.max_field_count = 1;
    auto refused = scan("A: 1\r\nB: 2\r\n\r\n", Section::Trailers, one_field).error;
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->reason, "more than 1 trailer fields");
}

TEST(FrontHeadScanner, LineEnds) {
    EXPECT_EQ(scan("GET / HTTP/1.1\n").error->kind, HttpErrorKind::Smuggling);
    EXPECT_EQ(scan("GET / HTTP/1.1\rX").error->kind, HttpErrorKind::Smuggling);
    EXPECT_EQ(scan("GET / HTTP/1.1\r\nA: b\r\n\n").error->kind, HttpErrorKind::Smuggling);
    EXPECT_EQ(scan("GET / HTTP/1.1\r\nA: b\r\n\tc\r\n").error->kind, HttpErrorKind::Smuggling);
    EXPECT_FALSE(scan("GET / HTTP/1.1\r\nA: b\tc \r\n").error);  // whitespace inside a line is llhttp's to judge
}

TEST(FrontHeadScanner, Limits) {
    HttpLimits limits{.max_start_line = 10, .max_field_bytes = 12, .max_field_count = 2};
    EXPECT_FALSE(scan("GET / HTTP\r\n", Section::Head, limits).error);  // 10 bytes
    auto line = scan("GET /a HTTP", Section::Head, limits).error;  // refused before its end
    ASSERT_TRUE(line);
    EXPECT_EQ(line->status, 414);
    EXPECT_EQ(line->reason, "request line longer than 10 bytes");
    EXPECT_FALSE(scan("GET / HTTP\r\nA: 1\r\nB: 2\r\n\r\n", Section::Head, limits).error);  // 12 bytes, 2 fields
    auto bytes = scan("GET / HTTP\r\nA: 1\r\nB: 23\r\n\r\n", Section::Head, limits).error;
    ASSERT_TRUE(bytes);
    EXPECT_EQ(bytes->status, 431);
    EXPECT_EQ(bytes->reason, "header section larger than 12 bytes");
    limits.max_field_bytes = 100;
    auto count = scan("GET / HTTP\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", Section::Head, limits).error;
    ASSERT_TRUE(count);
    EXPECT_EQ(count->status, 431);
    EXPECT_EQ(count->reason, "more than 2 header fields");
    // An upstream's too long status line is the front's 502.
    auto status_line = scan("HTTP/1.1 200 OK", Section::Head, limits, HttpDirection::Response).error;
    ASSERT_TRUE(status_line);
    EXPECT_EQ(status_line->status, 502);
    EXPECT_EQ(status_line->reason, "status line longer than 10 bytes");
}
