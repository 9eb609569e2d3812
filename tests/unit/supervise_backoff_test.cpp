#include <gtest/gtest.h>

#include "supervise/restart_backoff.hpp"

using namespace hotswap;
using namespace std::chrono_literals;

TEST(RestartBackoff, DoublesFromHalfASecondUpToThirtySeconds) {
    RestartBackoff b;
    std::vector<long> delays;
    for (int i = 0; i < 9; ++i) delays.push_back(b.next_delay(1s).count());
    EXPECT_EQ(delays, (std::vector<long>{500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000}));
    EXPECT_EQ(b.attempts(), 9);
}

TEST(RestartBackoff, ResetsAfterAMinuteUp) {
    RestartBackoff b;
    b.next_delay(1s);
    b.next_delay(1s);
    EXPECT_EQ(b.next_delay(1s).count(), 2000);
    EXPECT_EQ(b.next_delay(59s).count(), 4000);  // 59 s is not a minute
    EXPECT_EQ(b.next_delay(60s).count(), 500);
    EXPECT_EQ(b.attempts(), 1);
}

TEST(RestartBackoff, ResetByAFreshBuild) {
    RestartBackoff b;
    for (int i = 0; i < 5; ++i) b.next_delay(0s);
    b.reset();
    EXPECT_EQ(b.next_delay(0s).count(), 500);
}
