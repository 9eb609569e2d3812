#include "notify_address.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

int hotswap_internal_notify_address(const char *value, struct sockaddr_un *address, socklen_t *length) {
    size_t size = strlen(value);
    memset(address, 0, sizeof *address);
    address->sun_family = AF_UNIX;
    if (value[0] == '@') {
        /* Abstract: NUL, then the name; the length counts exactly the name's bytes, no terminator. */
        if (size < 2) return -EAFNOSUPPORT;
        if (size > sizeof address->sun_path) return -ENAMETOOLONG;
        memcpy(address->sun_path + 1, value + 1, size - 1);
        *length = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + size);
        return 0;
    }
    if (value[0] != '/') return -EAFNOSUPPORT;
    if (size >= sizeof address->sun_path) return -ENAMETOOLONG;
    memcpy(address->sun_path, value, size);
    *length = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + size + 1);
    return 0;
}
