#include "config/init_project.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include <fmt/core.h>
#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include "core/file_descriptor.hpp"

namespace hotswap {

namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// A name safe to put in a path and in a TOML string without quoting: letters, digits, '.', '_', '-', '+'.
std::string safe_name(std::string_view name) {
    std::string out;
    for (char c : name)
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' || c == '+') out += c;
    if (out.empty() || out[0] == '.' || out[0] == '-') return "";
    return out;
}

// go.mod's `module example.com/team/server/v2` → "server" (what `go build` would name the binary).
std::string go_binary_name(const std::string& go_mod) {
    std::istringstream in(go_mod);
    for (std::string line; std::getline(in, line);) {
        line.erase(0, line.find_first_not_of(" \t"));
        if (!line.starts_with("module")) continue;
        std::string path = line.substr(6);
        if (auto comment = path.find("//"); comment != std::string::npos) path.erase(comment);
        path.erase(std::remove_if(path.begin(), path.end(), [](char c) { return c == ' ' || c == '\t' || c == '"' || c == '`' || c == '\r'; }),
                   path.end());
        std::vector<std::string> parts;
        for (size_t start = 0; start <= path.size();) {
            size_t slash = path.find('/', start);
            parts.push_back(path.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
            if (slash == std::string::npos) break;
            start = slash + 1;
        }
        auto is_major_version = [](const std::string& p) {  // "/v2" is not the binary's name
            return p.size() > 1 && p[0] == 'v' && p.find_first_not_of("0123456789", 1) == std::string::npos;
        };
        while (!parts.empty() && (parts.back().empty() || is_major_version(parts.back()))) parts.pop_back();
        return parts.empty() ? "" : safe_name(parts.back());
    }
    return "";
}

std::string cargo_binary_name(const fs::path& cargo_toml) {
    try {
        toml::table t = toml::parse_file(cargo_toml.string());
        if (auto bins = t["bin"].as_array())
            for (auto& bin : *bins)
                if (auto table = bin.as_table())
                    if (auto name = (*table)["name"].value<std::string>()) return safe_name(*name);
        if (auto name = t["package"]["name"].value<std::string>()) return safe_name(*name);
    } catch (const toml::parse_error&) {
        // Not our file to judge: the template says to check the name.
    }
    return "";
}

// The first add_executable() of the project, preferring the top directory, skipping tests and vendored code.
struct CMakeTarget {
    std::string name;
    std::string subdir;
};

// The argument lists of every `command(...)` call in CMake code (comments already removed), names matched
// without regard to case as CMake does. Enough for project() and add_executable(); not a CMake parser.
std::vector<std::vector<std::string>> cmake_calls(const std::string& code, std::string_view command) {
    std::vector<std::vector<std::string>> calls;
    auto lower = [](char c) { return char(std::tolower(static_cast<unsigned char>(c))); };
    auto word_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    for (size_t i = 0; i + command.size() <= code.size(); ++i) {
        bool match = (i == 0 || !word_char(code[i - 1]));
        for (size_t k = 0; match && k < command.size(); ++k) match = lower(code[i + k]) == command[k];
        if (!match) continue;
        size_t j = i + command.size();
        while (j < code.size() && std::isspace(static_cast<unsigned char>(code[j]))) ++j;
        if (j >= code.size() || code[j] != '(') continue;
        size_t close = code.find(')', j);
        if (close == std::string::npos) break;
        std::vector<std::string> args;
        std::istringstream in(code.substr(j + 1, close - j - 1));
        for (std::string arg; in >> arg;) args.push_back(arg);
        calls.push_back(std::move(args));
        i = close;
    }
    return calls;
}

std::optional<std::string> cmake_executable_in(const std::string& text) {
    std::string code;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) code += line.substr(0, line.find('#')) + "\n";
    std::string project_name;
    if (auto projects = cmake_calls(code, "project"); !projects.empty() && !projects[0].empty())
        project_name = projects[0][0];
    for (const auto& args : cmake_calls(code, "add_executable")) {
        if (args.empty()) continue;
        std::string name = args[0];
        std::string next = args.size() > 1 ? args[1] : "";
        if (next == "IMPORTED" || next == "ALIAS") continue;
        for (std::string var : {"${PROJECT_NAME}", "${CMAKE_PROJECT_NAME}"})
            if (auto pos = name.find(var); pos != std::string::npos && !project_name.empty())
                name.replace(pos, var.size(), project_name);
        if (name.find('$') != std::string::npos) continue;
        std::string lower = name;
        std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return char(std::tolower(c)); });
        if (lower.find("test") != std::string::npos || lower.find("bench") != std::string::npos) continue;
        if (std::string safe = safe_name(name); !safe.empty()) return safe;
    }
    return std::nullopt;
}

bool skipped_directory(const std::string& name) {
    static const char* const kSkip[] = {"build", "cmake-build-debug", "cmake-build-release", "third_party",
                                        "thirdparty", "external", "vendor", "deps", "test", "tests", "bench",
                                        "benchmarks", "examples", "node_modules"};
    if (name.empty() || name[0] == '.' || name.starts_with("build")) return true;
    return std::find(std::begin(kSkip), std::end(kSkip), name) != std::end(kSkip);
}

CMakeTarget cmake_target(const fs::path& dir) {
    if (auto name = cmake_executable_in(read_text(dir / "CMakeLists.txt"))) return {*name, ""};
    // Breadth first, sorted, three levels deep: the main program usually sits in src/ or app/.
    std::vector<fs::path> level{dir};
    for (int depth = 0; depth < 3 && !level.empty(); ++depth) {
        std::vector<fs::path> next;
        for (const auto& d : level) {
            std::error_code ec;
            std::vector<fs::path> children;
            for (const auto& entry : fs::directory_iterator(d, ec))
                if (entry.is_directory(ec) && !entry.is_symlink(ec) && !skipped_directory(entry.path().filename().string()))
                    children.push_back(entry.path());
            std::sort(children.begin(), children.end());
            for (const auto& child : children) {
                if (fs::exists(child / "CMakeLists.txt", ec))
                    if (auto name = cmake_executable_in(read_text(child / "CMakeLists.txt")))
                        return {*name, fs::relative(child, dir, ec).generic_string()};
                next.push_back(child);
            }
        }
        level = std::move(next);
    }
    return {};
}

std::string toml_string(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

constexpr std::string_view kHeader = R"(# hotswap.toml: written by `hotswap init` for the {what} found here ({marker}).
# Run `hotswap` in this directory: it builds, starts the server, and rebuilds and restarts it on every save.
# A failed build keeps the running version. Every key here is also a command-line flag (hotswap --help).
)";

// Restart mode works for any server; this is how to get zero-downtime swaps instead.
constexpr std::string_view kZeroDowntime = R"(
# Zero-downtime swaps: hotswap binds the port once and hands the same socket to every version, the way
# systemd does socket activation (fd 3, LISTEN_FDS=1), and stops the old version only once the new one is
# ready. {how}
# Then uncomment:
# [[listen]]
# name = "http"
# address = "127.0.0.1:8080"
#
# [ready]
# kind = "http"                    # or "notify" (sd_notify READY=1), "tcp", "log" with a pattern
# url = "http://127.0.0.1:8080/"
# timeout = "30s"
)";

std::string render_go(const DetectedProject& p) {
    std::string name = p.name.empty() ? "server" : p.name;
    std::string out = fmt::format(fmt::runtime(kHeader), fmt::arg("what", "Go module"), fmt::arg("marker", p.marker));
    out += fmt::format(R"(
[watch]
# Only these extensions trigger a build; .git, .hotswap/ and what .gitignore excludes are never watched.
ext = ["go", "mod", "sum", "html", "tmpl"]
debounce = "50ms"

[build]
# The binary goes into .hotswap/, which is never watched, so a build cannot trigger another.
cmd = "go build -o .hotswap/bin/{0} ."
timeout = "5m"

[run]
cmd = [".hotswap/bin/{0}"]{1}
# args = ["--flag"]
# env = {{ PORT = "8080" }}
stop_signal = "TERM"
drain_timeout = "10s"
)",
                       name, p.name.empty() ? "      # check: the module's binary name was not found in go.mod" : "");
    out += fmt::format(fmt::runtime(kZeroDowntime),
                       fmt::arg("how", "In Go:\n#   ln, err := net.FileListener(os.NewFile(3, \"listener\")); http.Serve(ln, handler)"));
    return out;
}

std::string render_rust(const DetectedProject& p) {
    std::string name = p.name.empty() ? "server" : p.name;
    std::string out = fmt::format(fmt::runtime(kHeader), fmt::arg("what", "Cargo package"), fmt::arg("marker", p.marker));
    out += fmt::format(R"(
[watch]
ext = ["rs", "toml"]
ignore = ["target/"]          # cargo's output: never a reason to rebuild

[build]
cmd = "cargo build"
timeout = "10m"

[run]
cmd = ["target/debug/{0}"]{1}
# env = {{ RUST_LOG = "info" }}
stop_signal = "TERM"
drain_timeout = "10s"
)",
                       name, p.name.empty() ? "      # check: no package or [[bin]] name found in Cargo.toml" : "");
    out += fmt::format(fmt::runtime(kZeroDowntime),
                       fmt::arg("how", "In Rust, the listenfd crate:\n#   let listener = ListenFd::from_env().take_tcp_listener(0)?.unwrap();"));
    return out;
}

std::string render_cmake(const DetectedProject& p) {
    std::string name = p.name.empty() ? "server" : p.name;
    std::string binary = p.subdir.empty() ? fmt::format(".hotswap/cmake/{}", name) : fmt::format(".hotswap/cmake/{}/{}", p.subdir, name);
    std::string out = fmt::format(fmt::runtime(kHeader), fmt::arg("what", "CMake project"), fmt::arg("marker", p.marker));
    out += fmt::format(R"(
[watch]
ext = ["c", "cc", "cpp", "cxx", "h", "hh", "hpp", "hxx", "txt", "cmake"]

[build]
# A build tree of its own inside .hotswap/ (never watched): configured once, then only rebuilt.
cmd = "[ -f .hotswap/cmake/CMakeCache.txt ] || cmake -S . -B .hotswap/cmake -DCMAKE_BUILD_TYPE=Debug && cmake --build .hotswap/cmake --target {0}"
timeout = "10m"

[run]
cmd = [{1}]{2}
stop_signal = "TERM"
drain_timeout = "10s"
)",
                       name, toml_string(binary),
                       p.name.empty() ? "      # check: no add_executable() found; put your program's path here" : "");
    out += fmt::format(fmt::runtime(kZeroDowntime),
                       fmt::arg("how", "In C or C++: sd_listen_fds(0) from libsystemd, or simply use fd 3 when\n"
                                       "# LISTEN_FDS=1 and LISTEN_PID is your pid."));
    return out;
}

std::string render_node(const DetectedProject& p) {
    std::string out = fmt::format(fmt::runtime(kHeader), fmt::arg("what", "Node.js package"), fmt::arg("marker", p.marker));
    out += R"(
[watch]
ext = ["js", "mjs", "cjs", "ts", "mts", "json"]
# node_modules/ is never watched; build outputs must not trigger a build either.
ignore = ["dist/", "build/", "out/", "coverage/"]
)";
    if (p.has_build_script) out += "\n[build]\ncmd = \"npm run build\"\ntimeout = \"5m\"\n";
    std::string cmd;
    if (p.has_start_script) cmd = R"(["npm", "start", "--silent"])";
    else cmd = fmt::format(R"(["node", {}])", toml_string(p.node_main.empty() ? "index.js" : p.node_main));
    out += fmt::format(R"(
[run]
cmd = {}
# env = {{ PORT = "3000", NODE_ENV = "development" }}
stop_signal = "TERM"
drain_timeout = "10s"
)",
                       cmd);
    out += fmt::format(fmt::runtime(kZeroDowntime),
                       fmt::arg("how", "In Node.js:\n#   server.listen({ fd: 3 })   // when process.env.LISTEN_FDS is set"));
    return out;
}

}  // namespace

std::optional<DetectedProject> detect_project(const fs::path& dir) {
    std::error_code ec;
    if (fs::exists(dir / "go.mod", ec))
        return DetectedProject{ProjectKind::Go, "go.mod", go_binary_name(read_text(dir / "go.mod")), "", false, false, ""};
    if (fs::exists(dir / "Cargo.toml", ec))
        return DetectedProject{ProjectKind::Rust, "Cargo.toml", cargo_binary_name(dir / "Cargo.toml"), "", false, false, ""};
    if (fs::exists(dir / "CMakeLists.txt", ec)) {
        CMakeTarget target = cmake_target(dir);
        return DetectedProject{ProjectKind::CMake, "CMakeLists.txt", target.name, target.subdir, false, false, ""};
    }
    if (fs::exists(dir / "package.json", ec)) {
        DetectedProject p{ProjectKind::Node, "package.json", "", "", false, false, ""};
        auto json = nlohmann::json::parse(read_text(dir / "package.json"), nullptr, false);
        if (json.is_object()) {
            if (auto name = json.find("name"); name != json.end() && name->is_string()) p.name = name->get<std::string>();
            if (auto scripts = json.find("scripts"); scripts != json.end() && scripts->is_object()) {
                p.has_build_script = scripts->contains("build");
                p.has_start_script = scripts->contains("start");
            }
            if (auto main = json.find("main"); main != json.end() && main->is_string()) p.node_main = main->get<std::string>();
        }
        if (p.node_main.empty())
            for (const char* candidate : {"server.js", "index.js", "app.js", "main.js"})
                if (fs::exists(dir / candidate, ec)) {
                    p.node_main = candidate;
                    break;
                }
        return p;
    }
    return std::nullopt;
}

std::string render_config(const DetectedProject& project) {
    switch (project.kind) {
        case ProjectKind::Go: return render_go(project);
        case ProjectKind::Rust: return render_rust(project);
        case ProjectKind::CMake: return render_cmake(project);
        case ProjectKind::Node: return render_node(project);
    }
    return "";
}

Result<std::string> init_project(const fs::path& dir, bool force) {
    // 1. What is here.
    auto project = detect_project(dir);
    if (!project)
        return Error::message("no go.mod, Cargo.toml, CMakeLists.txt or package.json here: run `hotswap init` in "
                              "the project's top directory, or start without a file: hotswap -b 'BUILD' -- ./server");
    fs::path target = dir / "hotswap.toml";
    std::error_code ec;
    if (!force && fs::exists(fs::symlink_status(target, ec)))
        return Error::message("hotswap.toml exists already: edit it, or run `hotswap init --force` to replace it");

    // 2. Write it next to the target and rename into place: never a half-written config.
    std::string text = render_config(*project);
    std::string temp = (dir / ".hotswap.toml.XXXXXX").string();
    FileDescriptor fd(::mkostemp(temp.data(), O_CLOEXEC));
    if (!fd) return Error::from_errno("mkostemp", temp, errno);
    auto discard = [&temp] { ::unlink(temp.c_str()); };
    std::string_view rest = text;
    while (!rest.empty()) {
        ssize_t n = ::write(fd.get(), rest.data(), rest.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int err = errno;
            discard();
            return Error::from_errno("write", temp, err);
        }
        rest.remove_prefix(size_t(n));
    }
    if (::fchmod(fd.get(), 0644) != 0 || ::fsync(fd.get()) != 0) {
        int err = errno;
        discard();
        return Error::from_errno("fchmod", temp, err);
    }
    fd.reset();
    if (::rename(temp.c_str(), target.c_str()) != 0) {
        int err = errno;
        discard();
        return Error::from_errno("rename", target.string(), err);
    }

    // 3. One line on what was written.
    static const char* const kWhat[] = {"Go module", "Cargo package", "CMake project", "Node.js package"};
    std::string what = kWhat[int(project->kind)];
    std::string note = project->name.empty() && project->kind != ProjectKind::Node
                           ? " (the program's name was not found: check [run] cmd)"
                           : "";
    return fmt::format("wrote hotswap.toml for the {} found in {}{}; start with: hotswap", what, project->marker, note);
}

}  // namespace hotswap
