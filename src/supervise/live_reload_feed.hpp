#pragma once
// What the browsers are told (front/live_reload_hub.hpp), from the lifecycle events: a switch reloads the
// pages of older versions; a failed build, a failed start, a rollback or a version kept out (check, shadow,
// shift) shows as the page's overlay, and a good build takes it away. One function, so that the mapping is
// read in one place.

#include "events/lifecycle_events.hpp"
#include "front/live_reload_hub.hpp"

namespace hotswap {

void feed_live_reload(LiveReloadHub& hub, const Event& event);

}  // namespace hotswap
