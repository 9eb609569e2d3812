#pragma once
// Edit this while hotswap runs: save, and the new build takes over on the same socket without dropping a
// request. Break it (a syntax error): the build fails and the running version keeps serving.

inline constexpr const char* kVersion = "v1";
