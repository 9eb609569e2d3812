#pragma once
// `hotswap init`: looks at the project in a directory (go.mod, Cargo.toml, CMakeLists.txt, package.json,
// in that order) and writes a commented hotswap.toml that builds and runs it. The file uses restart mode,
// which works for any server; its comments show how to switch to zero-downtime fd passing.

#include <filesystem>
#include <optional>
#include <string>

#include "core/result.hpp"

namespace hotswap {

enum class ProjectKind { Go, Rust, CMake, Node };

struct DetectedProject {
    ProjectKind kind;
    std::string marker;  // the file that identified it: "go.mod"
    std::string name;    // the binary (Go, Rust, CMake) or package name; empty when not found
    // CMake: the executable's directory relative to the build tree ("" or "src"). Node: scripts present.
    std::string subdir;
    bool has_build_script = false;
    bool has_start_script = false;
    std::string node_main;  // package.json "main"
};

std::optional<DetectedProject> detect_project(const std::filesystem::path& dir);
std::string render_config(const DetectedProject& project);

// Writes dir/hotswap.toml (atomically; an existing one only with `force`). Returns a one-line summary.
Result<std::string> init_project(const std::filesystem::path& dir, bool force);

}  // namespace hotswap
