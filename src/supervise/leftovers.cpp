#include "supervise/leftovers.hpp"

#include <charconv>
#include <string>
#include <unordered_set>

namespace hotswap {

std::vector<pid_t> leftovers_to_kill(const ProcessTree& tree, const LeftoverQuery& query, const GenerationLookup& lookup) {
    std::vector<pid_t> out;
    for (pid_t orphan : tree.children_of(query.self)) {
        if (query.tracked.count(orphan)) continue;
        bool belongs_to_gone_generation = false;
        if (!query.everything) {
            std::optional<int> generation = lookup(orphan);
            belongs_to_gone_generation = generation && !query.live_generations.count(*generation);
        }
        if (!query.everything && !belongs_to_gone_generation) continue;
        out.push_back(orphan);
        for (pid_t d : tree.descendants_of(orphan)) out.push_back(d);
    }
    return out;
}

std::vector<pid_t> escaped_descendants(const ProcessTree& tree, pid_t leader) {
    std::vector<pid_t> below = tree.descendants_of(leader);
    std::unordered_set<pid_t> below_set(below.begin(), below.end());
    std::vector<pid_t> out;
    for (const auto& e : tree.entries())
        if (e.pgid != leader && below_set.count(e.pid)) out.push_back(e.pid);
    return out;
}

std::optional<int> generation_from_environment(pid_t pid) {
    auto value = initial_environment_value(pid, "HOTSWAP_GENERATION");
    if (!value) return std::nullopt;
    int id = 0;
    auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), id);
    if (ec != std::errc() || end != value->data() + value->size()) return std::nullopt;
    return id;
}

}  // namespace hotswap
