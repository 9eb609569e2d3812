#pragma once
// The checks `hotswap serve` makes before it runs a binary, as a root-owned service often does:
// - the binary and its directory must not be writable by group or others, and must belong to us or root,
//   or whoever else can write there could swap in a program of their choosing;
// - with --verify-key KEY, BINARY.minisig must be a valid minisign signature by that key.
//
// minisign's format (https://jedisct1.github.io/minisign/), implemented on libsodium:
//   public key: base64("Ed" || key id (8) || Ed25519 public key (32))
//   BINARY.minisig, four lines:
//     untrusted comment: <text>
//     base64(<"Ed" | "ED"> || key id (8) || signature (64))   "ED": signs BLAKE2b-512(file); "Ed": the file
//     trusted comment: <text>
//     base64(global signature (64) over signature || trusted comment text)

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace hotswap {

// Refuses, with a sentence saying what to fix, a binary (or its directory) that is writable by group or
// others or owned by a user other than us and root. Symlinks are followed, and the link's own directory is
// checked too.
Result<void> check_binary_safe(const std::filesystem::path& binary);

struct MinisignPublicKey {
    std::array<uint8_t, 8> key_id{};
    std::array<uint8_t, 32> key{};
};

struct MinisignSignature {
    bool prehashed = true;  // "ED"
    std::array<uint8_t, 8> key_id{};
    std::array<uint8_t, 64> signature{};
    std::string trusted_comment;
    std::array<uint8_t, 64> global_signature{};
};

// The text of a .pub file, or just its base64 line (what `minisign -P` takes).
Result<MinisignPublicKey> parse_minisign_public_key(std::string_view text);
Result<MinisignSignature> parse_minisign_signature(std::string_view text);
// "800EB62AE44AA6DC", as minisign prints key ids.
std::string format_key_id(const std::array<uint8_t, 8>& key_id);

// Checks `signature` over the contents of `fd` (read from offset 0 with pread, so the caller can verify
// exactly the open file it will then copy or run). Returns the trusted comment.
Result<std::string> verify_minisign(int fd, const MinisignSignature& signature, const MinisignPublicKey& key);

// --verify-key's argument: a public key file when one exists at that path (a relative one is taken from
// `base`), else the base64 key itself. A path that names no file says so.
Result<MinisignPublicKey> load_minisign_key(std::string_view key_or_file, const std::filesystem::path& base);

// DEPLOYED.minisig (next to the file as it was deployed) must be a valid signature by `key` of the bytes
// open at `fd` (the copy that will run, so nothing can change between check and start). Returns the trusted
// comment; a refusal reads "refusing to run SHOWN: …".
Result<std::string> verify_deployed_signature(int fd, const std::filesystem::path& deployed, std::string_view shown,
                                              const MinisignPublicKey& key);

// The whole --verify-key check of one file: `key` is a public key file's path or a base64 key; the signature
// is read from BINARY.minisig. Returns the trusted comment ("timestamp:… file:…").
Result<std::string> verify_binary_signature(const std::filesystem::path& binary, std::string_view key);

}  // namespace hotswap
