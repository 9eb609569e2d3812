// `hotswap init`: each kind of project is detected, and the file written for it loads with the real
// config loader, builds and runs what it should, and serves it behind the front on the language's usual
// port; the options its comments offer load too once uncommented.

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/config_file.hpp"
#include "config/init_project.hpp"
#include "temp_dir.hpp"

using hotswap::testing::TempDir;
using namespace hotswap;
namespace fs = std::filesystem;

namespace {

struct Project {
    TempDir temp{"hotswap-init"};
    const fs::path& dir = temp.path();
    void write(const fs::path& relative, std::string_view text) const {
        fs::create_directories((dir / relative).parent_path());
        std::ofstream(dir / relative) << text;
    }
    std::string read(const fs::path& relative) const {
        std::ifstream in(dir / relative);
        std::ostringstream s;
        s << in.rdbuf();
        return s.str();
    }
    // Runs init and loads the result with the real loader.
    Config init_and_load() const {
        auto written = init_project(dir, false);
        EXPECT_TRUE(written.ok()) << written.error().to_string();
        Config c;
        auto loaded = read_config_file(dir / "hotswap.toml", c);
        EXPECT_TRUE(loaded.ok()) << loaded.error().to_string() << "\n" << read("hotswap.toml");
        return c;
    }
};

bool has(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

// The text with `count` comment lines uncommented, from the first line that begins with `first` ("# [ready]").
std::string uncommented(const std::string& text, std::string_view first, int count) {
    std::istringstream in(text);
    std::string out;
    int left = 0;
    bool found = false;
    for (std::string line; std::getline(in, line);) {
        if (!found && line.starts_with(first)) {
            found = true;
            left = count;
        }
        if (left > 0) {
            EXPECT_TRUE(line.starts_with("# ")) << line;
            line.erase(0, 2);
            --left;
        }
        out += line + "\n";
    }
    EXPECT_TRUE(found) << "no line " << first;
    EXPECT_EQ(left, 0) << "too few lines after " << first;
    return out;
}

// The text without the lines that are not comments in its [proxy] section: the front turned off.
std::string without_front(const std::string& text) {
    std::istringstream in(text);
    std::string out;
    bool in_proxy = false;
    for (std::string line; std::getline(in, line);) {
        if (line.starts_with("[")) in_proxy = line == "[proxy]";
        if (in_proxy && !line.starts_with("#") && !line.empty()) continue;
        out += line + "\n";
    }
    return out;
}

Config load_text(const Project& p, const std::string& text) {
    p.write("hotswap.toml", text);
    Config c;
    auto loaded = read_config_file(p.dir / "hotswap.toml", c);
    EXPECT_TRUE(loaded.ok()) << loaded.error().to_string() << "\n" << text;
    return c;
}

// What every generated file says about the front, whatever the language.
void expect_front(const Config& c, const std::string& text, std::string_view address) {
    EXPECT_EQ(c.proxy, address) << "the front is on by default";
    EXPECT_TRUE(c.listen.empty());
    EXPECT_TRUE(c.ready.empty()) << "proxy mode's default readiness: a TCP connect to the private port";
    EXPECT_TRUE(has(text, "# protocol = \"auto\"")) << text;
    EXPECT_TRUE(has(text, "# app_socket = \"port\"")) << text;
    EXPECT_TRUE(has(text, "$PORT")) << text;
    EXPECT_TRUE(has(text, "# [[listen]]")) << "the shared socket stays documented";
}

}  // namespace

TEST(InitProject, GoModule) {
    Project p;
    p.write("go.mod", "// comment\nmodule \"example.com/team/api-server/v2\" // the API\n\ngo 1.21\n");
    p.write("main.go", "package main\n");
    Config c = p.init_and_load();
    EXPECT_EQ(c.build_cmd, "go build -o .hotswap/bin/api-server .");
    ASSERT_EQ(c.command.size(), 1u);
    EXPECT_EQ(c.command[0], ".hotswap/bin/api-server");
    EXPECT_NE(std::find(c.extensions.begin(), c.extensions.end(), "go"), c.extensions.end());
    std::string text = p.read("hotswap.toml");
    expect_front(c, text, "127.0.0.1:8080");
    EXPECT_TRUE(has(text, R"(os.Getenv("PORT"))")) << "says how a Go server listens on $PORT";
    EXPECT_TRUE(has(text, "net.FileListener(os.NewFile(3")) << "and how it takes a socket from LISTEN_FDS";
}

TEST(InitProject, TheReadinessItOffersLoadsOnceUncommented) {
    Project p;
    p.write("go.mod", "module shop\n");
    p.init_and_load();
    Config c = load_text(p, uncommented(p.read("hotswap.toml"), "# [ready]", 4));
    EXPECT_EQ(c.ready, "http:http://127.0.0.1:{port}/health") << "{port}: the private port, filled in per version";
    EXPECT_EQ(c.ready_timeout, std::chrono::seconds(30));
    EXPECT_EQ(c.proxy, "127.0.0.1:8080");
}

TEST(InitProject, TheFrontsCommentedOptionsLoadOnceUncommented) {
    Project p;
    p.write("package.json", R"({"name": "shop"})");
    p.init_and_load();
    std::string text = uncommented(p.read("hotswap.toml"), R"(# protocol = "auto")", 2);
    Config c = load_text(p, text);
    EXPECT_EQ(c.proxy_protocol, ProxyProtocol::Auto);
    EXPECT_EQ(c.app_socket, AppSocket::Port);
    std::string fd = text;
    fd.replace(fd.find(R"(app_socket = "port")"), 19, R"(app_socket = "fd")");
    EXPECT_EQ(load_text(p, fd).app_socket, AppSocket::Fd) << "the value the comment offers";
}

TEST(InitProject, TheSharedSocketAlternativeLoadsInsteadOfTheFront) {
    Project p;
    p.write("Cargo.toml", "[package]\nname = \"web\"\n");
    p.init_and_load();
    Config c = load_text(p, uncommented(without_front(p.read("hotswap.toml")), "# [[listen]]", 4));
    EXPECT_TRUE(c.proxy.empty());
    ASSERT_EQ(c.listen.size(), 1u);
    EXPECT_EQ(c.ready, "notify");
}

TEST(InitProject, CargoPackageAndBin) {
    Project p;
    p.write("Cargo.toml", "[package]\nname = \"web-app\"\nversion = \"0.1.0\"\n");
    Config c = p.init_and_load();
    EXPECT_EQ(c.build_cmd, "cargo build");
    EXPECT_EQ(c.command, std::vector<std::string>{"target/debug/web-app"});
    EXPECT_NE(std::find(c.ignore.begin(), c.ignore.end(), "target/"), c.ignore.end());
    expect_front(c, p.read("hotswap.toml"), "127.0.0.1:8080");

    Project bin;
    bin.write("Cargo.toml", "[package]\nname = \"pkg\"\n\n[[bin]]\nname = \"served\"\npath = \"src/main.rs\"\n");
    EXPECT_EQ(bin.init_and_load().command, std::vector<std::string>{"target/debug/served"});
}

TEST(InitProject, CMakeTopLevelAndSubdirectoryExecutables) {
    Project p;
    p.write("CMakeLists.txt",
            "cmake_minimum_required(VERSION 3.20)\nproject(Hello CXX)\n# add_executable(commented_out x.cpp)\n"
            "add_executable(hello_tests tests.cpp)\nadd_executable(${PROJECT_NAME} main.cpp)\n");
    Config c = p.init_and_load();
    EXPECT_NE(c.build_cmd.find("cmake -S . -B .hotswap/cmake"), std::string::npos) << c.build_cmd;
    EXPECT_NE(c.build_cmd.find("--target Hello"), std::string::npos) << c.build_cmd;
    EXPECT_EQ(c.command, std::vector<std::string>{".hotswap/cmake/Hello"});
    expect_front(c, p.read("hotswap.toml"), "127.0.0.1:8080");

    Project nested;
    nested.write("CMakeLists.txt", "project(x)\nadd_subdirectory(src)\n");
    nested.write("third_party/lib/CMakeLists.txt", "add_executable(vendored_tool t.c)\n");
    nested.write("src/CMakeLists.txt", "add_library(core STATIC a.cpp)\nadd_executable(serverd main.cpp)\n");
    EXPECT_EQ(nested.init_and_load().command, std::vector<std::string>{".hotswap/cmake/src/serverd"});
}

TEST(InitProject, NodePackage) {
    Project p;
    p.write("package.json", R"({"name": "shop", "main": "lib/server.js", "scripts": {"build": "tsc", "start": "node lib/server.js"}})");
    Config c = p.init_and_load();
    EXPECT_EQ(c.build_cmd, "npm run build");
    EXPECT_EQ(c.command, (std::vector<std::string>{"npm", "start", "--silent"}));
    EXPECT_NE(std::find(c.ignore.begin(), c.ignore.end(), "dist/"), c.ignore.end()) << "build output never triggers a build";
    std::string text = p.read("hotswap.toml");
    expect_front(c, text, "127.0.0.1:3000");
    EXPECT_TRUE(has(text, "process.env.PORT"));
    EXPECT_FALSE(has(text, "PORT = ")) << "hotswap sets PORT per version: no example that overrides it";

    Project plain;
    plain.write("package.json", R"({"name": "tiny"})");
    plain.write("server.js", "require('http')");
    Config t = plain.init_and_load();
    EXPECT_TRUE(t.build_cmd.empty()) << "no build script: restart only";
    EXPECT_EQ(t.command, (std::vector<std::string>{"node", "server.js"}));

    Project broken;
    broken.write("package.json", "{ not json");
    EXPECT_EQ(broken.init_and_load().command, (std::vector<std::string>{"node", "index.js"}));
}

// A string cmd runs through /bin/sh, so "$PORT" expands to the version's port.
std::vector<std::string> via_shell(std::string line) { return {"/bin/sh", "-c", std::move(line)}; }

TEST(InitProject, DjangoRunserverOnThePortOfTheVersion) {
    Project p;
    p.write("manage.py", "#!/usr/bin/env python\n");
    p.write("mysite/settings.py", "");
    p.write("mysite/wsgi.py", "");
    p.write("requirements.txt", "Django>=4.2\n");
    Config c = p.init_and_load();
    EXPECT_TRUE(c.build_cmd.empty()) << "nothing to build: a save starts the new version";
    EXPECT_EQ(c.command, via_shell(R"(exec python3 manage.py runserver --noreload "127.0.0.1:$PORT")"));
    std::string text = p.read("hotswap.toml");
    expect_front(c, text, "127.0.0.1:8000");
    EXPECT_TRUE(has(text, R"(cmd = ["gunicorn", "mysite.wsgi"])")) << text;
    EXPECT_TRUE(has(text, "# check:"));
    EXPECT_NE(std::find(c.ignore.begin(), c.ignore.end(), ".venv/"), c.ignore.end());
    EXPECT_NE(std::find(c.extensions.begin(), c.extensions.end(), "py"), c.extensions.end());
}

TEST(InitProject, FlaskAppFromItsSourceAndTheProjectsVirtualenv) {
    Project p;
    p.write("requirements.txt", "Flask==3.0.0\ngunicorn\n");
    p.write("app.py", "from flask import Flask\n\nserver = Flask(__name__)\n");
    p.write(".venv/bin/python", "");
    auto detected = detect_project(p.dir);
    ASSERT_TRUE(detected);
    EXPECT_EQ(detected->marker, "requirements.txt");
    Config c = p.init_and_load();
    EXPECT_EQ(c.command, via_shell(R"(exec .venv/bin/python -m flask --app app:server run --host 127.0.0.1 --port "$PORT")"));
    expect_front(c, p.read("hotswap.toml"), "127.0.0.1:8000");
}

TEST(InitProject, FastAPIUnderUvicorn) {
    Project p;
    p.write("pyproject.toml", "[project]\nname = \"api\"\ndependencies = [\"fastapi\", \"uvicorn[standard]\"]\n");
    p.write("main.py", "from fastapi import FastAPI\napp: FastAPI = FastAPI()\n");
    Config c = p.init_and_load();
    EXPECT_EQ(c.command, via_shell(R"(exec python3 -m uvicorn main:app --host 127.0.0.1 --port "$PORT")"));

    Project listed_only;  // the framework from the dependencies, the app's name the usual one
    listed_only.write("requirements.txt", "fastapi\n");
    listed_only.write("asgi.py", "from api import build\napplication = build()\n");
    EXPECT_EQ(listed_only.init_and_load().command,
              via_shell(R"(exec python3 -m uvicorn asgi:app --host 127.0.0.1 --port "$PORT")"));
    EXPECT_TRUE(has(listed_only.read("hotswap.toml"), "# check:"));
}

TEST(InitProject, PlainPythonScriptReadsPortItself) {
    Project p;
    p.write("pyproject.toml", "[project]\nname = \"tool\"\n");
    p.write("server.py", "import http.server\n");
    Config c = p.init_and_load();
    EXPECT_EQ(c.command, (std::vector<std::string>{"python3", "server.py"}));
    std::string text = p.read("hotswap.toml");
    expect_front(c, text, "127.0.0.1:8000");
    EXPECT_TRUE(has(text, R"(int(os.environ["PORT"]))")) << text;
    EXPECT_EQ(c.env, std::vector<std::string>{"PYTHONUNBUFFERED=1"}) << "print() reaches the log as it happens";

    Project lone;  // a script alone is a Python project too
    lone.write("main.py", "print('hi')\n");
    auto detected = detect_project(lone.dir);
    ASSERT_TRUE(detected);
    EXPECT_EQ(detected->kind, ProjectKind::Python);
    EXPECT_EQ(lone.init_and_load().command, (std::vector<std::string>{"python3", "main.py"}));

    Project nothing_to_run;
    nothing_to_run.write("requirements.txt", "requests\n");
    auto written = init_project(nothing_to_run.dir, false);
    ASSERT_TRUE(written.ok());
    EXPECT_TRUE(has(*written, "check [run] cmd")) << *written;
    EXPECT_TRUE(has(nothing_to_run.read("hotswap.toml"), "# check: no manage.py, app.py"));
}

TEST(InitProject, PythonWinsOverTheFrontendsPackageJsonButNotOverALoneScript) {
    Project p;
    p.write("requirements.txt", "flask\n");
    p.write("package.json", "{}");
    auto python = detect_project(p.dir);
    ASSERT_TRUE(python);
    EXPECT_EQ(python->kind, ProjectKind::Python);

    Project node;
    node.write("package.json", "{}");
    node.write("main.py", "");
    auto detected = detect_project(node.dir);
    ASSERT_TRUE(detected);
    EXPECT_EQ(detected->kind, ProjectKind::Node);
}

TEST(InitProject, TheSummarySaysWhereToOpen) {
    Project p;
    p.write("package.json", R"({"name": "shop"})");
    auto written = init_project(p.dir, false);
    ASSERT_TRUE(written.ok());
    EXPECT_TRUE(has(*written, "open http://127.0.0.1:3000/")) << *written;
}

TEST(InitProject, GoWinsOverTheFrontendsPackageJson) {
    Project p;
    p.write("go.mod", "module shop\n");
    p.write("package.json", "{}");
    auto detected = detect_project(p.dir);
    ASSERT_TRUE(detected);
    EXPECT_EQ(detected->kind, ProjectKind::Go);
}

TEST(InitProject, UnknownNamesStillGiveALoadableFileWithANote) {
    Project p;
    p.write("CMakeLists.txt", "project(lib)\nadd_library(lib a.c)\n");
    auto written = init_project(p.dir, false);
    ASSERT_TRUE(written.ok());
    EXPECT_NE(written->find("check [run] cmd"), std::string::npos) << *written;
    Config c;
    EXPECT_TRUE(read_config_file(p.dir / "hotswap.toml", c).ok());
    EXPECT_NE(p.read("hotswap.toml").find("# check:"), std::string::npos);
}

TEST(InitProject, RefusesToOverwriteUnlessForced) {
    Project p;
    p.write("go.mod", "module a\n");
    p.write("hotswap.toml", "# mine\n");
    auto refused = init_project(p.dir, false);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().to_string().find("--force"), std::string::npos);
    EXPECT_EQ(p.read("hotswap.toml"), "# mine\n");
    ASSERT_TRUE(init_project(p.dir, true).ok());
    EXPECT_NE(p.read("hotswap.toml").find("go build"), std::string::npos);
    struct stat st{};
    ASSERT_EQ(::stat((p.dir / "hotswap.toml").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0644u);
    for (const auto& entry : fs::directory_iterator(p.dir))
        EXPECT_FALSE(entry.path().filename().string().starts_with(".hotswap.toml.")) << "temp file left behind";
}

TEST(InitProject, SaysWhatToDoWhenNothingIsRecognised) {
    Project p;
    p.write("README", "hello");
    auto r = init_project(p.dir, false);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().to_string().find("no go.mod, Cargo.toml, CMakeLists.txt, package.json or Python project"),
              std::string::npos);
    EXPECT_FALSE(fs::exists(p.dir / "hotswap.toml"));
}
