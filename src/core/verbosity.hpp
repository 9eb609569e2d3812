#pragma once
// How much hotswap says (-q, -v; the quiet and verbose keys). In core/ so that the config can hold it
// without depending on the terminal code that acts on it.

namespace hotswap {

enum class Verbosity { Quiet, Normal, Verbose };

}  // namespace hotswap
