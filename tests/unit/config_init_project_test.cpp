// `hotswap init`: each kind of project is detected, and the file written for it loads with the real
// config loader and builds and runs what it should.

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
    EXPECT_TRUE(c.listen.empty()) << "restart mode by default: works for any server";
    std::string text = p.read("hotswap.toml");
    EXPECT_NE(text.find("net.FileListener(os.NewFile(3"), std::string::npos) << "explains zero-downtime for Go";
    EXPECT_NE(text.find("# [[listen]]"), std::string::npos);
}

TEST(InitProject, CargoPackageAndBin) {
    Project p;
    p.write("Cargo.toml", "[package]\nname = \"web-app\"\nversion = \"0.1.0\"\n");
    Config c = p.init_and_load();
    EXPECT_EQ(c.build_cmd, "cargo build");
    EXPECT_EQ(c.command, std::vector<std::string>{"target/debug/web-app"});
    EXPECT_NE(std::find(c.ignore.begin(), c.ignore.end(), "target/"), c.ignore.end());

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
    EXPECT_NE(r.error().to_string().find("no go.mod, Cargo.toml, CMakeLists.txt or package.json"), std::string::npos);
    EXPECT_FALSE(fs::exists(p.dir / "hotswap.toml"));
}
