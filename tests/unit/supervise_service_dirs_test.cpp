// ServiceDirs: the state directory in the project (or systemd's for serve) and a private runtime
// directory that goes away with the service.

#include <stdlib.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>

#include "supervise/service_dirs.hpp"
#include "temp_dir.hpp"

using namespace hotswap;
namespace fs = std::filesystem;

TEST(ServiceDirs, StateInTheProjectAndAPrivateRuntimeDirRemovedAtTheEnd) {
    hotswap::testing::TempDir project("service-dirs");
    Config config;
    config.root = project.path();
    fs::path runtime;
    {
        ServiceDirs dirs;
        auto opened = dirs.open(config);
        ASSERT_TRUE(opened) << opened.error().to_string();
        EXPECT_EQ(dirs.state(), project.path() / ".hotswap");
        EXPECT_TRUE(fs::is_directory(dirs.state()));
        runtime = dirs.notify_socket().parent_path();
        struct stat st{};
        ASSERT_EQ(::stat(runtime.c_str(), &st), 0);
        EXPECT_EQ(st.st_mode & 0777, 0700u) << "no other user may reach the notify socket";
        // A second service in the same project shares the state directory, not the runtime one.
        ServiceDirs again;
        ASSERT_TRUE(again.open(config));
        EXPECT_NE(again.notify_socket(), dirs.notify_socket());
    }
    EXPECT_FALSE(fs::exists(runtime));
    EXPECT_TRUE(fs::is_directory(project.path() / ".hotswap")) << "the state outlives the run";
}

TEST(ServiceDirs, ServeUsesSystemdsStateDirectory) {
    hotswap::testing::TempDir project("service-dirs");
    const std::string systemd_dir = project.file("var-lib-app");
    fs::create_directory(systemd_dir);
    ::setenv("STATE_DIRECTORY", (systemd_dir + ":" + project.file("other")).c_str(), 1);
    Config config;
    config.root = project.path();
    config.verb = Verb::Serve;
    ServiceDirs dirs;
    ASSERT_TRUE(dirs.open(config));
    EXPECT_EQ(dirs.state(), fs::path(systemd_dir));
    EXPECT_FALSE(fs::exists(project.path() / ".hotswap"));
    // Run mode keeps its state in the project whatever the environment says.
    config.verb = Verb::Run;
    ServiceDirs run;
    ASSERT_TRUE(run.open(config));
    EXPECT_EQ(run.state(), project.path() / ".hotswap");
    ::unsetenv("STATE_DIRECTORY");
}
