/* hotswap_listener(): socket activation as systemd defines it (sd_listen_fds(3)), read from the environment. */
#include "hotswap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "listen_env.h"

int hotswap_listener_count(void) {
    /* An unset LISTEN_PID is accepted: hotswap --no-listen-pid leaves it out for commands that fork. */
    return hotswap_internal_listen_count(getenv("LISTEN_FDS"), getenv("LISTEN_PID"), (long)getpid(),
                                         HOTSWAP_INTERNAL_PID_OPTIONAL);
}

/* Close-on-exec on every passed fd: a child the server starts must not hold the shared socket open.
 * 0, or -errno (-EBADF: LISTEN_FDS counts an fd that is not open). */
static int mark_close_on_exec(int count) {
    int i;
    for (i = 0; i < count; ++i) {
        int fd = HOTSWAP_LISTEN_FDS_START + i;
        int flags = fcntl(fd, F_GETFD);
        if (flags < 0) return -errno;
        if (!(flags & FD_CLOEXEC) && fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0) return -errno;
    }
    return 0;
}

int hotswap_listener(const char *name) {
    int count = hotswap_listener_count();
    int index, error;
    if (count < 0) return count;
    if (count == 0) return -ENOENT;
    error = mark_close_on_exec(count);
    if (error < 0) return error;
    index = hotswap_internal_listen_index(count, getenv("LISTEN_FDNAMES"), name);
    if (index < 0) return index;
    return HOTSWAP_LISTEN_FDS_START + index;
}
