#pragma once
// How long an ELF file must be to be whole. `hotswap serve` sees the artifact while someone may still be
// writing it in place (cp, a download, a slow disk); a binary shorter than its own headers say is still
// growing and must not be started. The furthest of: the ELF header, the program header table, every
// segment's bytes in the file, and the section header table (which linkers put last).

#include <cstdint>
#include <optional>

#include "core/result.hpp"

namespace hotswap {

struct ElfExtent {
    uint64_t needed = 0;  // bytes the headers account for
    uint64_t size = 0;    // bytes the file has now
    bool complete() const { return size >= needed; }
};

// Reads `fd` with pread (its offset is left alone). nullopt: not an ELF file (a script, say), about which
// nothing can be told. An empty file, or one holding only the start of "\x7fELF", is an incomplete ELF.
// An Error: the header is not one any loader would take.
Result<std::optional<ElfExtent>> elf_extent(int fd);

}  // namespace hotswap
