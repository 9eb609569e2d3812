/* The sd_notify(3) protocol: one datagram of "NAME=value" lines to the socket named by $NOTIFY_SOCKET. */
#include "hotswap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "notify_address.h"
#include "notify_message.h"

int hotswap_notify(const char *state) {
    const char *target = getenv("NOTIFY_SOCKET");
    struct sockaddr_un address;
    socklen_t length;
    size_t size = strlen(state);
    ssize_t sent;
    int fd, error;
    if (target == NULL || *target == '\0') return 0;
    if (size > HOTSWAP_NOTIFY_MAX) return -EMSGSIZE;
    error = hotswap_internal_notify_address(target, &address, &length);
    if (error < 0) return error;
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    /* The kernel adds our credentials (the receiver sets SO_PASSCRED): that is how the sender is known. */
    sent = sendto(fd, state, size, MSG_NOSIGNAL, (const struct sockaddr *)&address, length);
    error = sent < 0 ? -errno : 0;
    close(fd);
    return error < 0 ? error : 1;
}

int hotswap_ready(void) { return hotswap_notify("READY=1"); }

int hotswap_stopping(void) { return hotswap_notify("STOPPING=1"); }

int hotswap_status(const char *text) {
    char message[HOTSWAP_NOTIFY_MAX + 1];
    hotswap_internal_status_message(message, sizeof message, text);
    return hotswap_notify(message);
}
