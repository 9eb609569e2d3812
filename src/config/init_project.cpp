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
# Run `hotswap` in this directory: it builds and starts the server, then on every save builds again and
# swaps the new version in. A failed build keeps the running version. Every key here is also a
# command-line flag (hotswap --help).
)";

// Where the front listens: the port the language's dev servers use by convention, so the URL stays the same.
std::string_view front_address(ProjectKind kind) {
    switch (kind) {
        case ProjectKind::Node: return "127.0.0.1:3000";
        case ProjectKind::Python: return "127.0.0.1:8000";
        default: return "127.0.0.1:8080";
    }
}

// How a server of one language meets the front, and the fd-passing alternative without it.
struct FrontText {
    std::string_view port_how;  // how a server of that language listens on $PORT
    std::string_view fd_how;    // how it takes a socket from LISTEN_FDS
};

// The front is the recommended way: zero-downtime swaps for any server that binds $PORT, keep-alive
// connections included, with no hotswap code in the server.
constexpr std::string_view kFront = R"(
[proxy]
# The front: hotswap takes the connections on this address (open it in the browser) and passes each
# request to the version serving now, so a reload or a failed build loses no request.
# The server must listen on the port in $PORT, which hotswap picks for each version: {port_how}
# A server that takes its socket from LISTEN_FDS instead (systemd socket activation): app_socket = "fd".
# Not a network server? Delete [proxy]: hotswap then stops the old version and starts the new one.
address = "{address}"
# protocol = "auto"       # HTTP/1.x request by request, anything else (TLS, HTTP/2) as bytes; "tcp": bytes only
# app_socket = "port"     # the server binds $PORT; "fd": each version gets its own listening socket at fd 3

# A version gets requests once its $PORT accepts a TCP connection (with app_socket = "fd": after a short
# delay, and kind = "notify" is exact). To wait until it answers instead:
# [ready]
# kind = "http"
# url = "http://127.0.0.1:{{port}}/health"   # {{port}}: that version's $PORT; a 2xx answer means ready
# timeout = "30s"
)";

// The older way, still right where no front is wanted: the same socket for every version.
constexpr std::string_view kSharedSocket = R"(
# Without the front: hotswap binds the address and hands the same socket to every version at fd 3
# (LISTEN_FDS=1, as systemd does); the old version stops once the new one is ready. Keep-alive clients
# can then see an error at a reload, which the front avoids. {fd_how}
# Then, instead of [proxy]:
# [[listen]]
# address = "{address}"
# [ready]
# kind = "notify"          # the server sends READY=1 to $NOTIFY_SOCKET (sd_notify); without it: a delay
)";

std::string render_serving(ProjectKind kind, const FrontText& text) {
    const std::string_view address = front_address(kind);
    return fmt::format(fmt::runtime(kFront), fmt::arg("address", address), fmt::arg("port_how", text.port_how)) +
           fmt::format(fmt::runtime(kSharedSocket), fmt::arg("address", address), fmt::arg("fd_how", text.fd_how));
}

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
stop_signal = "TERM"
drain_timeout = "10s"
)",
                       name, p.name.empty() ? "      # check: the module's binary name was not found in go.mod" : "");
    out += render_serving(p.kind, {R"(in Go,
#   http.ListenAndServe("127.0.0.1:"+os.Getenv("PORT"), handler))",
                           "In Go:\n#   ln, err := net.FileListener(os.NewFile(3, \"listener\")); http.Serve(ln, handler)"});
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
    out += render_serving(p.kind, {R"(in Rust,
#   TcpListener::bind(format!("127.0.0.1:{}", std::env::var("PORT")?)))",
                           "In Rust, the listenfd crate:\n#   let listener = ListenFd::from_env().take_tcp_listener(0)?.unwrap();"});
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
    out += render_serving(p.kind, {"in C or C++,\n#   bind() to 127.0.0.1 and the port atoi(getenv(\"PORT\"))",
                           "In C or C++: sd_listen_fds(0) from libsystemd, or simply use fd 3 when\n"
                           "# LISTEN_FDS=1 and LISTEN_PID is your pid."});
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
# env = {{ NODE_ENV = "development" }}
stop_signal = "TERM"
drain_timeout = "10s"
)",
                       cmd);
    out += render_serving(p.kind, {"in Node.js,\n#   server.listen(process.env.PORT)   // Express: app.listen(process.env.PORT)",
                           "In Node.js:\n#   server.listen({ fd: 3 })   // when process.env.LISTEN_FDS is set"});
    return out;
}

// The [run] command of a Python server. The frameworks' dev servers take the port as an argument, not from
// the environment: a string cmd runs through /bin/sh, which expands "$PORT"; `exec` lets the stop signal
// reach the server itself rather than the shell.
std::string python_run(const DetectedProject& p) {
    const std::string& python = p.python;
    const std::string module = p.name.empty() ? "app" : p.name.substr(0, p.name.rfind(".py"));
    const std::string target = module + ":" + p.python_app;
    switch (p.python_framework) {
        case PythonFramework::Django:
            return fmt::format(R"(# A string runs through /bin/sh: "$PORT" is the port hotswap gives this version. --noreload: hotswap
# reloads, Django's own reloader would restart the server under it.
cmd = 'exec {0} manage.py runserver --noreload "127.0.0.1:$PORT"'
# check: {0} is the Python that has Django (start hotswap in the virtualenv). Or gunicorn, which
# binds $PORT by itself: cmd = ["gunicorn", "{1}.wsgi"])",
                               python, p.django_project.empty() ? "mysite" : p.django_project);
        case PythonFramework::Flask:
            return fmt::format(R"(# A string runs through /bin/sh: "$PORT" is the port hotswap gives this version.
cmd = 'exec {0} -m flask --app {1} run --host 127.0.0.1 --port "$PORT"'
# check: {0} is the Python that has Flask (start hotswap in the virtualenv), and {1} is
# module:variable of your app. Or gunicorn, which binds $PORT by itself: cmd = ["gunicorn", "{1}"])",
                               python, target);
        case PythonFramework::FastAPI:
            return fmt::format(R"(# A string runs through /bin/sh: "$PORT" is the port hotswap gives this version.
cmd = 'exec {0} -m uvicorn {1} --host 127.0.0.1 --port "$PORT"'
# check: {0} is the Python that has uvicorn (start hotswap in the virtualenv), and {1} is
# module:variable of your app.)",
                               python, target);
        case PythonFramework::None: break;
    }
    if (p.name.empty())
        return fmt::format(R"(cmd = ["{}", "app.py"]      # check: no manage.py, app.py, main.py, wsgi.py, asgi.py or server.py found)",
                           python);
    return fmt::format(R"(cmd = ["{}", {}]      # check: the server's script; it must listen on int(os.environ["PORT"]))", python,
                       toml_string(p.name));
}

std::string render_python(const DetectedProject& p) {
    std::string out = fmt::format(fmt::runtime(kHeader), fmt::arg("what", "Python project"), fmt::arg("marker", p.marker));
    out += fmt::format(R"(
[watch]
# No build: a save starts the new version, which takes over once ready.
ext = ["py", "html", "jinja", "jinja2", "txt", "toml"]
ignore = [".venv/", "venv/", "__pycache__/", "node_modules/"]

[run]
{}
env = {{ PYTHONUNBUFFERED = "1" }}   # print() shows at once in hotswap's output, not when a buffer fills
stop_signal = "TERM"
drain_timeout = "10s"
)",
                       python_run(p));
    const std::string_view port_how = p.python_framework == PythonFramework::None
                                          ? "in Python,\n#   HTTPServer((\"127.0.0.1\", int(os.environ[\"PORT\"])), Handler); gunicorn reads $PORT by itself"
                                          : "the [run] cmd above\n#   passes it on (gunicorn reads $PORT by itself)";
    out += render_serving(p.kind, {port_how,
                           "In Python: socket.socket(fileno=3) when\n# LISTEN_FDS is set; gunicorn takes LISTEN_FDS by itself."});
    return out;
}

// Python: what the entry file and the dependency lists say about the framework.
struct PythonFacts {
    PythonFramework framework = PythonFramework::None;
    std::string entry;          // "app.py", "" when none of the usual names is there
    std::string app = "app";    // the variable holding the app in the entry file
    std::string django_project; // the package holding wsgi.py next to manage.py
};

std::string lowercase(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

// "app = Flask(__name__)" → "app": the name assigned a call of `constructor`, if a simple one.
std::string assigned_name(const std::string& code, std::string_view constructor) {
    std::istringstream in(code);
    for (std::string line; std::getline(in, line);) {
        auto call = line.find(std::string(constructor) + "(");
        auto equals = line.find('=');
        if (call == std::string::npos || equals == std::string::npos || equals > call) continue;
        std::string name = line.substr(0, equals);
        name.erase(0, name.find_first_not_of(" \t"));
        name.erase(name.find_last_not_of(" \t:") + 1);
        if (auto colon = name.find(':'); colon != std::string::npos) name.erase(colon);  // app: FastAPI = FastAPI()
        if (!name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isalnum(c) || c == '_'; }))
            return name;
    }
    return "";
}

PythonFacts python_facts(const fs::path& dir) {
    std::error_code ec;
    PythonFacts facts;
    if (fs::exists(dir / "manage.py", ec)) {
        facts.framework = PythonFramework::Django;
        facts.entry = "manage.py";
        std::vector<std::string> packages;
        for (const auto& entry : fs::directory_iterator(dir, ec))
            if (entry.is_directory(ec) && fs::exists(entry.path() / "wsgi.py", ec))
                packages.push_back(entry.path().filename().string());
        std::sort(packages.begin(), packages.end());
        if (!packages.empty()) facts.django_project = safe_name(packages.front());
        return facts;
    }
    std::string entry_code;
    for (const char* candidate : {"app.py", "main.py", "wsgi.py", "asgi.py", "server.py"})
        if (fs::exists(dir / candidate, ec)) {
            facts.entry = candidate;
            entry_code = read_text(dir / candidate);
            break;
        }
    std::string dependencies;
    for (const char* list : {"requirements.txt", "pyproject.toml", "Pipfile"})
        if (fs::exists(dir / list, ec)) dependencies += lowercase(read_text(dir / list));
    // The entry file's own code decides first: a project may list both frameworks.
    if (entry_code.find("FastAPI(") != std::string::npos) facts.framework = PythonFramework::FastAPI;
    else if (entry_code.find("Flask(") != std::string::npos) facts.framework = PythonFramework::Flask;
    else if (dependencies.find("fastapi") != std::string::npos) facts.framework = PythonFramework::FastAPI;
    else if (dependencies.find("flask") != std::string::npos) facts.framework = PythonFramework::Flask;
    if (facts.framework != PythonFramework::None)
        if (std::string name = assigned_name(entry_code, facts.framework == PythonFramework::Flask ? "Flask" : "FastAPI"); !name.empty())
            facts.app = name;
    return facts;
}

// The virtualenv in the project, when there is one: the Python that has the project's packages.
std::string python_interpreter(const fs::path& dir) {
    std::error_code ec;
    for (const char* venv : {".venv/bin/python", "venv/bin/python"})
        if (fs::exists(dir / venv, ec)) return venv;
    return "python3";
}

}  // namespace

namespace {

DetectedProject detected(ProjectKind kind, std::string marker, std::string name = "") {
    DetectedProject p;
    p.kind = kind;
    p.marker = std::move(marker);
    p.name = std::move(name);
    return p;
}

DetectedProject detected_python(const fs::path& dir, std::string marker) {
    PythonFacts facts = python_facts(dir);
    DetectedProject p = detected(ProjectKind::Python, std::move(marker), facts.entry);
    p.python = python_interpreter(dir);
    p.python_framework = facts.framework;
    p.python_app = facts.app;
    p.django_project = facts.django_project;
    return p;
}

DetectedProject detected_node(const fs::path& dir) {
    std::error_code ec;
    DetectedProject p = detected(ProjectKind::Node, "package.json");
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

}  // namespace

std::optional<DetectedProject> detect_project(const fs::path& dir) {
    std::error_code ec;
    if (fs::exists(dir / "go.mod", ec)) return detected(ProjectKind::Go, "go.mod", go_binary_name(read_text(dir / "go.mod")));
    if (fs::exists(dir / "Cargo.toml", ec)) return detected(ProjectKind::Rust, "Cargo.toml", cargo_binary_name(dir / "Cargo.toml"));
    if (fs::exists(dir / "CMakeLists.txt", ec)) {
        CMakeTarget target = cmake_target(dir);
        DetectedProject p = detected(ProjectKind::CMake, "CMakeLists.txt", target.name);
        p.subdir = target.subdir;
        return p;
    }
    // A Python project's own files win over a package.json, which is most often its frontend's tooling.
    for (const char* marker : {"manage.py", "pyproject.toml", "requirements.txt", "Pipfile", "setup.py"})
        if (fs::exists(dir / marker, ec)) return detected_python(dir, marker);
    if (fs::exists(dir / "package.json", ec)) return detected_node(dir);
    // A lone script is a weaker sign: checked only once nothing else is recognised.
    for (const char* script : {"app.py", "main.py", "wsgi.py", "asgi.py", "server.py"})
        if (fs::exists(dir / script, ec)) return detected_python(dir, script);
    return std::nullopt;
}

std::string render_config(const DetectedProject& project) {
    switch (project.kind) {
        case ProjectKind::Go: return render_go(project);
        case ProjectKind::Rust: return render_rust(project);
        case ProjectKind::CMake: return render_cmake(project);
        case ProjectKind::Node: return render_node(project);
        case ProjectKind::Python: return render_python(project);
    }
    return "";
}

Result<std::string> init_project(const fs::path& dir, bool force) {
    // 1. What is here.
    auto project = detect_project(dir);
    if (!project)
        return Error::message("no go.mod, Cargo.toml, CMakeLists.txt, package.json or Python project (pyproject.toml, "
                              "requirements.txt, manage.py, app.py, ...) here: run `hotswap init` in the project's top "
                              "directory, or start without a file: hotswap -b 'BUILD' -- ./server");
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
    static const char* const kWhat[] = {"Go module", "Cargo package", "CMake project", "Node.js package", "Python project"};
    std::string what = kWhat[int(project->kind)];
    std::string note = project->name.empty() && project->kind != ProjectKind::Node
                           ? " (the program's name was not found: check [run] cmd)"
                           : "";
    return fmt::format("wrote hotswap.toml for the {} found in {}{}; start with: hotswap, then open http://{}/", what,
                       project->marker, note, front_address(project->kind));
}

}  // namespace hotswap
