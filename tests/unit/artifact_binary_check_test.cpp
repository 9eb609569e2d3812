// The checks `hotswap serve` makes before running a binary: ownership and permissions, and minisign
// signatures made by the real minisign at test time (prehashed and legacy), then tampered with.

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "artifact/binary_check.hpp"
#include "core/file_descriptor.hpp"
#include "temp_dir.hpp"

using namespace hotswap;
namespace fs = std::filesystem;

using hotswap::testing::TempDir;

namespace {

void write_file(const fs::path& path, std::string_view text, mode_t mode = 0755) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
    ::chmod(path.c_str(), mode);
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Runs a program quietly (no shell); true when it exits 0.
bool run(std::vector<std::string> argv) {
    pid_t pid = ::fork();
    if (pid == 0) {
        int null = ::open("/dev/null", O_RDWR);
        ::dup2(null, 0);
        ::dup2(null, 1);
        ::dup2(null, 2);
        std::vector<char*> args;
        for (auto& a : argv) args.push_back(a.data());
        args.push_back(nullptr);
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

bool have_minisign() { return run({"minisign", "-v"}); }

std::string error_of(const Result<void>& r) { return r.ok() ? "" : r.error().to_string(); }
std::string error_of(const Result<std::string>& r) { return r.ok() ? "" : r.error().to_string(); }

// A key pair and a signed binary, made by the real minisign.
struct Signed {
    TempDir dir{"hotswap-sig"};
    fs::path pub = dir.path() / "k.pub", sec = dir.path() / "k.sec", binary = dir.path() / "server";
    bool ok = false;
    explicit Signed(bool legacy = false) {
        write_file(binary, "#!/bin/sh\necho hello from a signed server\n");
        std::vector<std::string> sign = {"minisign", "-S", "-s", sec.string(), "-m", binary.string(), "-t",
                                         "release 1.2.3"};
        if (legacy) sign.insert(sign.begin() + 2, "-l");
        ok = run({"minisign", "-G", "-p", pub.string(), "-s", sec.string(), "-W"}) && run(sign);
    }
    std::string sig_text() const { return read_file(binary.string() + ".minisig"); }
    void set_sig_text(std::string_view text) const { write_file(binary.string() + ".minisig", text, 0644); }
};

}  // namespace

TEST(BinaryCheck, AcceptsAPrivateBinary) {
    TempDir dir{"hotswap-sig"};
    ::chmod(dir.path().c_str(), 0755);
    write_file(dir.path() / "server", "x", 0755);
    EXPECT_TRUE(check_binary_safe(dir.path() / "server").ok()) << error_of(check_binary_safe(dir.path() / "server"));
}

TEST(BinaryCheck, RefusesGroupOrWorldWritableFiles) {
    TempDir dir{"hotswap-sig"};
    ::chmod(dir.path().c_str(), 0755);
    write_file(dir.path() / "server", "x", 0775);
    std::string e = error_of(check_binary_safe(dir.path() / "server"));
    EXPECT_NE(e.find("refusing to run"), std::string::npos) << e;
    EXPECT_NE(e.find("writable by its group (mode 0775)"), std::string::npos) << e;
    EXPECT_NE(e.find("chmod go-w"), std::string::npos) << e;
    ::chmod((dir.path() / "server").c_str(), 0757);
    e = error_of(check_binary_safe(dir.path() / "server"));
    EXPECT_NE(e.find("writable by everyone"), std::string::npos) << e;
}

TEST(BinaryCheck, RefusesAWritableDirectory) {
    TempDir dir{"hotswap-sig"};
    ::chmod(dir.path().c_str(), 0775);
    write_file(dir.path() / "server", "x", 0755);
    std::string e = error_of(check_binary_safe(dir.path() / "server"));
    EXPECT_NE(e.find("its directory"), std::string::npos) << e;
    ::chmod(dir.path().c_str(), 01777);  // sticky /tmp-like: still others may create names beside it
    EXPECT_FALSE(check_binary_safe(dir.path() / "server").ok());
}

TEST(BinaryCheck, FollowsSymlinksAndChecksTheLinksDirectory) {
    TempDir dir{"hotswap-sig"};
    ::chmod(dir.path().c_str(), 0755);
    fs::create_directory(dir.path() / "releases");
    fs::create_directory(dir.path() / "open");
    ::chmod((dir.path() / "releases").c_str(), 0755);
    ::chmod((dir.path() / "open").c_str(), 0777);
    write_file(dir.path() / "releases/server-2", "x", 0755);
    fs::create_symlink(dir.path() / "releases/server-2", dir.path() / "current");
    EXPECT_TRUE(check_binary_safe(dir.path() / "current").ok()) << error_of(check_binary_safe(dir.path() / "current"));
    fs::create_symlink(dir.path() / "releases/server-2", dir.path() / "open/current");
    std::string e = error_of(check_binary_safe(dir.path() / "open/current"));
    EXPECT_NE(e.find("the symlink's directory"), std::string::npos) << e;
    ::chmod((dir.path() / "releases/server-2").c_str(), 0777);
    EXPECT_FALSE(check_binary_safe(dir.path() / "current").ok()) << "the target's mode counts, not the link's";
}

TEST(BinaryCheck, RefusesAnotherUsersBinary) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a file to another user";
    TempDir dir{"hotswap-sig"};
    ::chmod(dir.path().c_str(), 0755);
    write_file(dir.path() / "server", "x", 0755);
    ASSERT_EQ(::chown((dir.path() / "server").c_str(), 65534, 65534), 0);
    std::string e = error_of(check_binary_safe(dir.path() / "server"));
    EXPECT_NE(e.find("belongs to uid 65534"), std::string::npos) << e;
    ASSERT_EQ(::chown((dir.path() / "server").c_str(), 0, 0), 0);
    ASSERT_EQ(::chown(dir.path().c_str(), 65534, 65534), 0);
    EXPECT_FALSE(check_binary_safe(dir.path() / "server").ok()) << "the directory's owner could swap it too";
}

TEST(BinaryCheck, MissingOrOddPaths) {
    TempDir dir{"hotswap-sig"};
    EXPECT_NE(error_of(check_binary_safe(dir.path() / "nope")).find("cannot run"), std::string::npos);
    EXPECT_NE(error_of(check_binary_safe(dir.path())).find("not a regular file"), std::string::npos);
}

TEST(Minisign, VerifiesAPrehashedSignature) {
    if (!have_minisign()) GTEST_SKIP() << "minisign is not installed (scripts/install-deps.sh --test)";
    Signed s;
    ASSERT_TRUE(s.ok);
    auto sig = parse_minisign_signature(s.sig_text());
    ASSERT_TRUE(sig.ok()) << sig.error().to_string();
    EXPECT_TRUE(sig->prehashed) << "current minisign signs BLAKE2b-512 of the file (\"ED\")";
    auto verified = verify_binary_signature(s.binary, s.pub.string());
    ASSERT_TRUE(verified.ok()) << verified.error().to_string();
    EXPECT_EQ(*verified, "release 1.2.3");
    // The key may be given as its base64 line too, as `minisign -P` takes it.
    std::string pub_text = read_file(s.pub);
    std::string base64 = pub_text.substr(pub_text.find('\n') + 1);
    base64.erase(base64.find_last_not_of("\n\r") + 1);
    EXPECT_TRUE(verify_binary_signature(s.binary, base64).ok());
    // minisign writes the id without leading zeros ("%" PRIX64); ours is always 16 digits.
    std::string theirs = pub_text.substr(pub_text.find("public key ") + 11);
    theirs = theirs.substr(0, theirs.find('\n'));
    std::string ours = format_key_id(parse_minisign_public_key(pub_text)->key_id);
    EXPECT_EQ(ours.substr(ours.find_first_not_of('0')), theirs);
}

TEST(Minisign, VerifiesALegacySignature) {
    if (!have_minisign()) GTEST_SKIP() << "minisign is not installed";
    Signed s(/*legacy=*/true);
    ASSERT_TRUE(s.ok);
    EXPECT_FALSE(parse_minisign_signature(s.sig_text())->prehashed);
    auto verified = verify_binary_signature(s.binary, s.pub.string());
    EXPECT_TRUE(verified.ok()) << error_of(verified);
}

TEST(Minisign, RefusesATamperedBinary) {
    if (!have_minisign()) GTEST_SKIP() << "minisign is not installed";
    for (bool legacy : {false, true}) {
        Signed s(legacy);
        ASSERT_TRUE(s.ok);
        write_file(s.binary, "#!/bin/sh\necho hello from an evil server\n");
        std::string e = error_of(verify_binary_signature(s.binary, s.pub.string()));
        EXPECT_NE(e.find("refusing to run"), std::string::npos) << e;
        EXPECT_NE(e.find("does not match the file"), std::string::npos) << e;
    }
}

TEST(Minisign, RefusesAnAlteredTrustedComment) {
    if (!have_minisign()) GTEST_SKIP() << "minisign is not installed";
    Signed s;
    ASSERT_TRUE(s.ok);
    std::string text = s.sig_text();
    text.replace(text.find("release 1.2.3"), 13, "release 9.9.9");
    s.set_sig_text(text);
    std::string e = error_of(verify_binary_signature(s.binary, s.pub.string()));
    EXPECT_NE(e.find("trusted comment was altered"), std::string::npos) << e;
}

TEST(Minisign, RefusesAnotherKeysSignature) {
    if (!have_minisign()) GTEST_SKIP() << "minisign is not installed";
    Signed s, other;
    ASSERT_TRUE(s.ok && other.ok);
    std::string e = error_of(verify_binary_signature(s.binary, other.pub.string()));
    EXPECT_NE(e.find("signed by key"), std::string::npos) << e;
    // Same key id but another key: forge the id into the other public key.
    auto mine = parse_minisign_public_key(read_file(s.pub)).value();
    auto theirs = parse_minisign_public_key(read_file(other.pub)).value();
    theirs.key_id = mine.key_id;
    auto sig = parse_minisign_signature(s.sig_text()).value();
    FileDescriptor fd(::open(s.binary.c_str(), O_RDONLY | O_CLOEXEC));
    auto forged = verify_minisign(fd.get(), sig, theirs);
    EXPECT_FALSE(forged.ok());
}

TEST(Minisign, RefusesMissingAndMalformedSignatures) {
    if (!have_minisign()) GTEST_SKIP() << "minisign is not installed";
    Signed s;
    ASSERT_TRUE(s.ok);
    const std::string good = s.sig_text();
    auto lines = [&] {
        std::vector<std::string> out;
        std::istringstream in(good);
        for (std::string l; std::getline(in, l);) out.push_back(l);
        return out;
    }();
    ASSERT_EQ(lines.size(), 4u);
    struct Case {
        std::string text;
        const char* says;
    };
    std::string flipped = lines[1];
    flipped[20] = flipped[20] == 'A' ? 'B' : 'A';
    std::string bad_alg = lines[1];
    bad_alg.replace(0, 2, "RX");  // base64 of a different algorithm tag
    for (const auto& [text, says] : std::vector<Case>{
             {"", "expected 4 lines"},
             {lines[0] + "\n" + lines[1] + "\n", "expected 4 lines"},
             {"comment\n" + lines[1] + "\n" + lines[2] + "\n" + lines[3] + "\n", "untrusted comment"},
             {lines[0] + "\n" + lines[1] + "\nnot trusted\n" + lines[3] + "\n", "trusted comment"},
             {lines[0] + "\n!!!!\n" + lines[2] + "\n" + lines[3] + "\n", "signature line is not valid"},
             {lines[0] + "\n" + lines[1] + "AAAA\n" + lines[2] + "\n" + lines[3] + "\n", "signature line is not valid"},
             {lines[0] + "\n" + lines[1] + "\n" + lines[2] + "\nAAAA\n", "global signature line"},
             {lines[0] + "\n" + flipped + "\n" + lines[2] + "\n" + lines[3] + "\n", ""},
             {lines[0] + "\n" + bad_alg + "\n" + lines[2] + "\n" + lines[3] + "\n", ""},
         }) {
        s.set_sig_text(text);
        std::string e = error_of(verify_binary_signature(s.binary, s.pub.string()));
        EXPECT_FALSE(e.empty()) << "accepted: " << text;
        EXPECT_NE(e.find(says), std::string::npos) << e;
    }
    // CRLF line ends (a signature that went through Windows) still verify.
    std::string crlf;
    for (const auto& l : lines) crlf += l + "\r\n";
    s.set_sig_text(crlf);
    EXPECT_TRUE(verify_binary_signature(s.binary, s.pub.string()).ok());
    fs::remove(s.binary.string() + ".minisig");
    std::string e = error_of(verify_binary_signature(s.binary, s.pub.string()));
    EXPECT_NE(e.find("needs its signature in"), std::string::npos) << e;
}

TEST(Minisign, RefusesBadKeys) {
    EXPECT_FALSE(parse_minisign_public_key("").ok());
    EXPECT_FALSE(parse_minisign_public_key("untrusted comment: only a comment\n").ok());
    EXPECT_FALSE(parse_minisign_public_key("RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO").ok());  // short
    auto e = verify_binary_signature("no-such-binary", "not a key");
    ASSERT_FALSE(e.ok());
    EXPECT_NE(e.error().to_string().find("--verify-key"), std::string::npos) << e.error().to_string();
}
