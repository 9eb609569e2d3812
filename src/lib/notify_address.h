/*
 * $NOTIFY_SOCKET as a socket address: a path ("/run/x/notify") or an abstract name ("@hotswap/7"), whose
 * leading '@' stands for the NUL byte that starts an abstract address on Linux. Internal to libhotswap.
 */
#ifndef HOTSWAP_NOTIFY_ADDRESS_H
#define HOTSWAP_NOTIFY_ADDRESS_H

#include <sys/socket.h>
#include <sys/un.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Fills `address` and `length` for `value`. Returns 0, -EAFNOSUPPORT when `value` is neither a path nor
 * '@name' (systemd's "vsock:" form, say), or -ENAMETOOLONG when it does not fit in sun_path.
 */
int hotswap_internal_notify_address(const char *value, struct sockaddr_un *address, socklen_t *length);

#ifdef __cplusplus
}
#endif

#endif /* HOTSWAP_NOTIFY_ADDRESS_H */
