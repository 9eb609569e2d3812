// WatchTable (wd → node) against std::unordered_map under random inserts, updates and erasures.

#include <gtest/gtest.h>

#include <random>
#include <unordered_map>

#include "watch/watch_table.hpp"

using namespace hotswap;

TEST(WatchTable, BehavesLikeAMap) {
    WatchTable table;
    std::unordered_map<int, NodeId> model;
    std::mt19937 rng(7);
    for (int i = 0; i < 200'000; ++i) {
        int wd = 1 + int(rng() % 5000);
        switch (rng() % 3) {
            case 0:
            case 1:
                table.set(wd, NodeId(i));
                model[wd] = NodeId(i);
                break;
            case 2:
                table.erase(wd);
                model.erase(wd);
                break;
        }
        if (i % 997 == 0) {
            ASSERT_EQ(table.size(), model.size());
            for (int probe = 1; probe <= 5000; ++probe) {
                auto it = model.find(probe);
                ASSERT_EQ(table.find(probe), it == model.end() ? kNoNode : it->second) << "wd " << probe;
            }
        }
    }
}
