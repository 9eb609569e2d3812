#pragma once
// `hotswap init`: looks at the project in a directory (go.mod, Cargo.toml, CMakeLists.txt, a Python
// project's files, package.json, in that order) and writes a commented hotswap.toml that builds and runs
// it behind the front ([proxy]): zero-downtime swaps for a server that listens on $PORT. Its comments
// show the options, and the shared-socket alternative without the front ([[listen]]).

#include <filesystem>
#include <optional>
#include <string>

#include "core/result.hpp"

namespace hotswap {

enum class ProjectKind { Go, Rust, CMake, Node, Python };

// The web framework a Python project uses, which decides the command that serves it on $PORT.
enum class PythonFramework { None, Django, Flask, FastAPI };

struct DetectedProject {
    ProjectKind kind = ProjectKind::Go;
    std::string marker;  // the file that identified it: "go.mod"
    // The binary (Go, Rust, CMake), the package name (Node) or the entry script (Python: "manage.py",
    // "app.py"); empty when not found.
    std::string name;
    // CMake: the executable's directory relative to the build tree ("" or "src").
    std::string subdir;
    // Node: the scripts present and package.json "main".
    bool has_build_script = false;
    bool has_start_script = false;
    std::string node_main;
    // Python: the interpreter (the project's virtualenv when it has one), the framework, the variable
    // holding the app in the entry script, and Django's project package (the one with wsgi.py).
    std::string python = "python3";
    PythonFramework python_framework = PythonFramework::None;
    std::string python_app = "app";
    std::string django_project;
};

std::optional<DetectedProject> detect_project(const std::filesystem::path& dir);
std::string render_config(const DetectedProject& project);

// Writes dir/hotswap.toml (atomically; an existing one only with `force`). Returns a one-line summary.
Result<std::string> init_project(const std::filesystem::path& dir, bool force);

}  // namespace hotswap
