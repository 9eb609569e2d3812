#include "artifact/binary_check.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <vector>

#include <fmt/core.h>

#include "core/file_descriptor.hpp"
#include "core/small_file.hpp"

namespace hotswap {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kUntrusted = "untrusted comment: ";
constexpr std::string_view kTrusted = "trusted comment: ";
// Legacy ("Ed") signatures sign the whole file at once, so it must fit in memory.
constexpr off_t kMaxLegacyFile = off_t(1) << 30;

std::string user_name(uid_t uid) {
    if (const passwd* pw = ::getpwuid(uid)) return fmt::format("{} ({})", uid, pw->pw_name);
    return std::to_string(uid);
}

// One path (file or directory): no write access for group/others, owned by us or root.
Result<void> check_owner_and_mode(const fs::path& path, std::string_view what, std::string_view binary) {
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0) return Error::from_errno("stat", path.string(), errno);
    uid_t me = ::geteuid();
    if (st.st_uid != me && st.st_uid != 0)
        return Error::message(fmt::format(
            "refusing to run {}: {} {} belongs to uid {}, not to the user running hotswap (uid {}) or root, so its "
            "owner could replace the program; chown it to uid {} or root",
            binary, what, path.string(), user_name(st.st_uid), user_name(me), me));
    if (st.st_mode & (S_IWGRP | S_IWOTH))
        return Error::message(fmt::format(
            "refusing to run {}: {} {} is writable by {} (mode {:04o}), so they could replace the program; fix it "
            "with: chmod go-w {}",
            binary, what, path.string(), (st.st_mode & S_IWOTH) ? "everyone" : "its group", st.st_mode & 07777,
            path.string()));
    return {};
}

template <size_t N>
Result<std::array<uint8_t, N>> decode_base64(std::string_view text, std::string_view what) {
    std::array<uint8_t, N> out{};
    size_t length = 0;
    const char* end = nullptr;
    if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &length, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        length != N || end != text.data() + text.size())
        return Error::message(fmt::format("{} is not valid: expected {} bytes of base64", what, N));
    return out;
}

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        lines.push_back(line);
        if (nl == std::string_view::npos) break;
        text.remove_prefix(nl + 1);
    }
    return lines;
}

// Key and signature files are a few hundred bytes; anything much larger is not one.
constexpr size_t kMaxKeyOrSignature = 64 * 1024;

Result<std::string> read_key_or_signature(const fs::path& path, std::string_view what) {
    auto text = read_small_file(path, kMaxKeyOrSignature);
    if (text) return text;
    if (text.error().errnum() == EFBIG)
        return Error::message(fmt::format("{} {} is too large to be one", what, path.string()));
    return text.error().with_context(what);
}

bool sodium_ready() {
    static const bool ready = sodium_init() >= 0;
    return ready;
}

// BLAKE2b-512 of the whole file, read with pread from offset 0.
Result<std::array<uint8_t, 64>> blake2b_512(int fd) {
    crypto_generichash_state state;
    crypto_generichash_init(&state, nullptr, 0, 64);
    std::vector<unsigned char> buf(1 << 16);
    for (off_t offset = 0;;) {
        ssize_t n = ::pread(fd, buf.data(), buf.size(), offset);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return Error::from_errno("pread");
        if (n == 0) break;
        crypto_generichash_update(&state, buf.data(), size_t(n));
        offset += n;
    }
    std::array<uint8_t, 64> hash{};
    crypto_generichash_final(&state, hash.data(), hash.size());
    return hash;
}

Result<std::vector<uint8_t>> whole_file(int fd) {
    struct stat st{};
    if (::fstat(fd, &st) != 0) return Error::from_errno("fstat");
    if (st.st_size > kMaxLegacyFile)
        return Error::message("the file is too large for a legacy (\"Ed\") minisign signature: sign it again with a "
                              "current minisign, which signs a hash of the file");
    std::vector<uint8_t> data(size_t(st.st_size));
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::pread(fd, data.data() + done, data.size() - done, off_t(done));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return Error::from_errno("pread");
        if (n == 0) break;  // shrank while we read: the signature check will fail, as it should
        done += size_t(n);
    }
    data.resize(done);
    return data;
}

}  // namespace

Result<void> check_binary_safe(const fs::path& binary) {
    std::error_code ec;
    std::string shown = binary.string();
    // 1. The path as given: a symlink's directory decides where the link may point.
    if (fs::is_symlink(fs::symlink_status(binary, ec)))
        HS_TRY_VOID(check_owner_and_mode(fs::absolute(binary, ec).parent_path(), "the symlink's directory", shown));
    // 2. The file itself, links followed.
    fs::path real = fs::canonical(binary, ec);
    if (ec) return Error::message(fmt::format("cannot run {}: {}", shown, ec.message()));
    if (!fs::is_regular_file(real, ec)) return Error::message(fmt::format("cannot run {}: it is not a regular file", shown));
    HS_TRY_VOID(check_owner_and_mode(real, "the file", shown));
    // 3. Its directory: write access there is the power to rename another file over it.
    HS_TRY_VOID(check_owner_and_mode(real.parent_path(), "its directory", shown));
    return {};
}

std::string format_key_id(const std::array<uint8_t, 8>& key_id) {
    std::string out;
    for (size_t i = key_id.size(); i-- > 0;) out += fmt::format("{:02X}", key_id[i]);  // little-endian u64
    return out;
}

Result<MinisignPublicKey> parse_minisign_public_key(std::string_view text) {
    for (std::string_view line : split_lines(text)) {
        if (line.empty() || line.starts_with(kUntrusted)) continue;
        auto raw = decode_base64<42>(line, "the minisign public key");
        if (!raw) return raw.error();
        if ((*raw)[0] != 'E' || (*raw)[1] != 'd')
            return Error::message("the minisign public key is not an Ed25519 key (it must start with \"Ed\")");
        MinisignPublicKey key;
        std::copy_n(raw->begin() + 2, 8, key.key_id.begin());
        std::copy_n(raw->begin() + 10, 32, key.key.begin());
        return key;
    }
    return Error::message("no minisign public key found: give the .pub file or its base64 line");
}

Result<MinisignSignature> parse_minisign_signature(std::string_view text) {
    auto lines = split_lines(text);
    while (!lines.empty() && lines.back().empty()) lines.pop_back();
    if (lines.size() != 4)
        return Error::message(fmt::format("not a minisign signature: expected 4 lines, found {}", lines.size()));
    if (!lines[0].starts_with(kUntrusted))
        return Error::message("not a minisign signature: the first line must start with \"untrusted comment: \"");
    if (!lines[2].starts_with(kTrusted))
        return Error::message("not a minisign signature: the third line must start with \"trusted comment: \"");
    HS_TRY(raw, decode_base64<74>(lines[1], "the signature line"));
    MinisignSignature sig;
    if (raw[0] == 'E' && raw[1] == 'D') sig.prehashed = true;
    else if (raw[0] == 'E' && raw[1] == 'd') sig.prehashed = false;
    else return Error::message("unknown minisign signature algorithm: expected \"Ed\" or \"ED\"");
    std::copy_n(raw.begin() + 2, 8, sig.key_id.begin());
    std::copy_n(raw.begin() + 10, 64, sig.signature.begin());
    sig.trusted_comment = std::string(lines[2].substr(kTrusted.size()));
    HS_TRY(global, decode_base64<64>(lines[3], "the global signature line"));
    sig.global_signature = global;
    return sig;
}

Result<std::string> verify_minisign(int fd, const MinisignSignature& sig, const MinisignPublicKey& key) {
    if (!sodium_ready()) return Error::message("libsodium failed to initialise");
    // 1. The right key.
    if (sig.key_id != key.key_id)
        return Error::message(fmt::format("signed by key {}, but the trusted key is {}", format_key_id(sig.key_id),
                                          format_key_id(key.key_id)));
    // 2. The file's contents (or, for "ED", their BLAKE2b-512).
    int rc;
    if (sig.prehashed) {
        HS_TRY(hash, blake2b_512(fd));
        rc = crypto_sign_verify_detached(sig.signature.data(), hash.data(), hash.size(), key.key.data());
    } else {
        HS_TRY(data, whole_file(fd));
        rc = crypto_sign_verify_detached(sig.signature.data(), data.data(), data.size(), key.key.data());
    }
    if (rc != 0) return Error::message("the signature does not match the file: it was changed after signing, or signed by another key");
    // 3. The trusted comment, bound to that signature.
    std::vector<uint8_t> global(sig.signature.begin(), sig.signature.end());
    global.insert(global.end(), sig.trusted_comment.begin(), sig.trusted_comment.end());
    if (crypto_sign_verify_detached(sig.global_signature.data(), global.data(), global.size(), key.key.data()) != 0)
        return Error::message("the signature's trusted comment was altered");
    return sig.trusted_comment;
}

Result<MinisignPublicKey> load_minisign_key(std::string_view key_or_file, const fs::path& base) {
    fs::path file{std::string(key_or_file)};
    if (file.is_relative()) file = base / file;
    std::error_code ec;
    const bool is_file = fs::is_regular_file(file, ec);
    std::string text(key_or_file);
    if (is_file) {
        HS_TRY(read, read_key_or_signature(file, "--verify-key"));
        text = std::move(read);
    }
    auto key = parse_minisign_public_key(text);
    // Neither a key file nor a key: most likely a path with a typo.
    if (!key && !is_file && (key_or_file.find('/') != std::string_view::npos || key_or_file.ends_with(".pub")))
        return Error::message(fmt::format("--verify-key: there is no key file {}: give a minisign public key file, or "
                                          "the key's base64 line",
                                          file.string()));
    if (!key) return key.error().with_context("--verify-key");
    return *key;
}

Result<std::string> verify_deployed_signature(int fd, const fs::path& deployed, std::string_view shown,
                                              const MinisignPublicKey& key) {
    fs::path sig_path = deployed;
    sig_path += ".minisig";
    std::error_code ec;
    if (!fs::exists(sig_path, ec))
        return Error::message(fmt::format("refusing to run {}: --verify-key needs its signature in {} (minisign -S -m {})",
                                          shown, sig_path.string(), shown));
    auto text = read_key_or_signature(sig_path, "signature");
    if (!text) return Error::message(fmt::format("refusing to run {}: {}", shown, text.error().to_string()));
    auto signature = parse_minisign_signature(*text);
    if (!signature)
        return Error::message(fmt::format("refusing to run {}: {}: {}", shown, sig_path.string(), signature.error().to_string()));
    auto verified = verify_minisign(fd, *signature, key);
    if (!verified)
        return Error::message(fmt::format("refusing to run {}: {} ({})", shown, verified.error().to_string(), sig_path.string()));
    return *verified;
}

Result<std::string> verify_binary_signature(const fs::path& binary, std::string_view key_text) {
    HS_TRY(key, load_minisign_key(key_text, fs::path()));
    FileDescriptor fd(::open(binary.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return Error::from_errno("open", binary.string(), errno);
    return verify_deployed_signature(fd.get(), binary, binary.string(), key);
}

}  // namespace hotswap
