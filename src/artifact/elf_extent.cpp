#include "artifact/elf_extent.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

namespace hotswap {

namespace {

constexpr std::array<uint8_t, 4> kMagic{0x7f, 'E', 'L', 'F'};
// Program headers read at most: real binaries have about ten; more is a malformed or hostile file.
constexpr uint64_t kMaxProgramHeaders = 4096;

// The field layout of the two ELF classes (offsets into the file header and one program header).
struct Layout {
    size_t header_size, phoff, shoff, phentsize, phnum, shentsize, shnum, word;
    size_t p_offset, p_filesz;
};
constexpr Layout kElf32{52, 28, 32, 42, 44, 46, 48, 4, 4, 16};
constexpr Layout kElf64{64, 32, 40, 54, 56, 58, 60, 8, 8, 32};

uint64_t read_uint(const uint8_t* p, size_t size, bool little_endian) {
    uint64_t v = 0;
    for (size_t i = 0; i < size; ++i) {
        size_t shift = little_endian ? i : size - 1 - i;
        v |= uint64_t(p[i]) << (8 * shift);
    }
    return v;
}

Result<size_t> read_at(int fd, uint8_t* buf, size_t length, uint64_t offset) {
    size_t done = 0;
    while (done < length) {
        ssize_t n = ::pread(fd, buf + done, length - done, off_t(offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return Error::from_errno("pread");
        if (n == 0) break;
        done += size_t(n);
    }
    return done;
}

// a + b, refusing what does not fit (a hostile header must not wrap around to a small size).
bool add(uint64_t a, uint64_t b, uint64_t& out) { return !__builtin_add_overflow(a, b, &out); }

Error malformed(const char* what) { return Error::message(std::string("not a valid ELF file: ") + what); }

}  // namespace

Result<std::optional<ElfExtent>> elf_extent(int fd) {
    struct stat st{};
    if (::fstat(fd, &st) != 0) return Error::from_errno("fstat");
    ElfExtent extent;
    extent.size = uint64_t(st.st_size);

    // 1. The identification: not ELF at all, or the beginning of one.
    std::array<uint8_t, 64> header{};
    HS_TRY(got, read_at(fd, header.data(), header.size(), 0));
    size_t magic = std::min(got, kMagic.size());
    if (std::memcmp(header.data(), kMagic.data(), magic) != 0) return std::optional<ElfExtent>{};
    if (got < 6) {
        extent.needed = kElf32.header_size;
        return std::optional<ElfExtent>{extent};
    }
    const Layout* layout = header[4] == 1 ? &kElf32 : header[4] == 2 ? &kElf64 : nullptr;
    if (!layout) return malformed("unknown class");
    if (header[5] != 1 && header[5] != 2) return malformed("unknown byte order");
    const bool little = header[5] == 1;
    extent.needed = layout->header_size;
    if (got < layout->header_size) return std::optional<ElfExtent>{extent};

    // 2. The header tables.
    auto field = [&](size_t offset, size_t size) { return read_uint(header.data() + offset, size, little); };
    const uint64_t phoff = field(layout->phoff, layout->word), shoff = field(layout->shoff, layout->word);
    const uint64_t phentsize = field(layout->phentsize, 2), phnum = field(layout->phnum, 2);
    const uint64_t shentsize = field(layout->shentsize, 2), shnum = field(layout->shnum, 2);
    uint64_t ph_end = 0, sh_end = 0;
    if (phnum > 0 && !add(phoff, phnum * phentsize, ph_end)) return malformed("program header table out of range");
    // shnum 0 with a table present: the real count is in the first entry (extended numbering).
    if (shoff > 0 && !add(shoff, std::max<uint64_t>(shnum, 1) * shentsize, sh_end))
        return malformed("section header table out of range");
    extent.needed = std::max({extent.needed, ph_end, sh_end});

    // 3. Every segment's bytes in the file, once the program headers themselves are there to read.
    if (phnum == 0 || ph_end > extent.size) return std::optional<ElfExtent>{extent};
    if (phnum > kMaxProgramHeaders) return malformed("too many program headers");
    const size_t entry_size = layout->p_filesz + layout->word;
    if (phentsize < entry_size) return malformed("program headers too small");
    std::vector<uint8_t> table(size_t(phnum * phentsize));
    HS_TRY(table_got, read_at(fd, table.data(), table.size(), phoff));
    if (table_got < table.size()) return std::optional<ElfExtent>{extent};  // shrank meanwhile: not complete
    for (uint64_t i = 0; i < phnum; ++i) {
        const uint8_t* entry = table.data() + i * phentsize;
        uint64_t offset = read_uint(entry + layout->p_offset, layout->word, little);
        uint64_t filesz = read_uint(entry + layout->p_filesz, layout->word, little);
        uint64_t end = 0;
        if (!add(offset, filesz, end)) return malformed("segment out of range");
        extent.needed = std::max(extent.needed, end);
    }
    return std::optional<ElfExtent>{extent};
}

}  // namespace hotswap
