#pragma once
// The browser's half of live reload, compiled in from src/front/live_reload/*.js: the page script the front
// injects (/__hotswap/live.js) and the SharedWorker that holds one event stream for all of a browser's tabs
// (/__hotswap/worker.js).

#include <string_view>

namespace hotswap {

std::string_view live_reload_script();
std::string_view live_reload_worker();

}  // namespace hotswap
