#pragma once
// HttpLimits: how much of a message head the front reads before it refuses the message. Heads are held
// in memory until they are complete, so these bound what a client can make the front keep.

#include <cstddef>

namespace hotswap {

struct HttpLimits {
    // The request line (or status line), its CRLF not counted; empty lines before it count. Beyond: 414.
    size_t max_start_line = 8 * 1024;
    // The header section: every byte of its field lines, CRLFs included. Beyond: 431. Trailers alike.
    size_t max_field_bytes = 32 * 1024;
    // Header fields, one a line. Beyond: 431. Trailers alike.
    size_t max_field_count = 100;
    // Chunk extensions, all of one message's chunks together (llhttp skips them without bound: Node.js
    // added this limit for CVE-2024-22019). Beyond: 413.
    size_t max_chunk_extension_bytes = 16 * 1024;
};

}  // namespace hotswap
