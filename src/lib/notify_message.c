#include "notify_message.h"

#include <string.h>

static const char kStatusPrefix[] = "STATUS=";

/* A byte that continues a UTF-8 sequence (10xxxxxx): cutting just before it would split a character. */
static int continues_utf8(char c) { return ((unsigned char)c & 0xC0) == 0x80; }

size_t hotswap_internal_status_message(char *out, size_t capacity, const char *text) {
    size_t prefix = sizeof kStatusPrefix - 1;
    size_t room = capacity - prefix - 1; /* bytes of text that fit before the terminator */
    size_t length = strlen(text);
    size_t i;
    if (length > room) {
        length = room;
        while (length > 0 && continues_utf8(text[length])) --length;
    }
    memcpy(out, kStatusPrefix, prefix);
    for (i = 0; i < length; ++i) out[prefix + i] = (text[i] == '\n' || text[i] == '\r') ? ' ' : text[i];
    out[prefix + length] = '\0';
    return prefix + length;
}
