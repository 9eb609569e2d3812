#pragma once
// The states of a generation (DESIGN.md §3):
//   Starting ─ready─▶ Ready ─switch─▶ Serving ─next generation serving─▶ Draining ─exit─▶ Gone
//   Starting/Ready ─exit, timeout, superseded─▶ Failed ─exit─▶ Gone;  Serving ─exit─▶ Gone (crash)

namespace hotswap {

enum class GenerationState { Starting, Ready, Serving, Draining, Failed, Gone };
const char* to_string(GenerationState state);

}  // namespace hotswap
