/* The text of the datagrams libhotswap sends. Internal to libhotswap. */
#ifndef HOTSWAP_NOTIFY_MESSAGE_H
#define HOTSWAP_NOTIFY_MESSAGE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Writes "STATUS=<text>" into `out` (`capacity` bytes, NUL-terminated, capacity >= 8) and returns its
 * length. Line breaks in `text` become spaces, so a status can never smuggle in another assignment such
 * as READY=1; text that does not fit is cut before the UTF-8 sequence it would split.
 */
size_t hotswap_internal_status_message(char *out, size_t capacity, const char *text);

#ifdef __cplusplus
}
#endif

#endif /* HOTSWAP_NOTIFY_MESSAGE_H */
