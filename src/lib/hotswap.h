/* SPDX-License-Identifier: MIT (see LICENSE at the root of hotswap) */
/*
 * libhotswap: take listening sockets and report readiness the systemd way.
 *
 * A server that uses these calls runs unchanged under hotswap (`hotswap -l 127.0.0.1:8080 --ready notify`),
 * under systemd (a .socket unit and Type=notify), under `systemd-socket-activate`, or on its own (then
 * hotswap_listener() finds nothing and the notify calls do nothing, so the server binds a port itself).
 *
 *   int fd = hotswap_listener("default");       // fd 3.. passed with LISTEN_FDS, or -ENOENT
 *   if (fd < 0) fd = bind_port_myself();
 *   hotswap_ready();                             // READY=1: the supervisor may now drain the old version
 *   ...
 *   hotswap_stopping();                          // STOPPING=1 when SIGTERM arrives
 *
 * One return convention throughout, the one of sd_listen_fds(3) and sd_notify(3): a result >= 0 is a
 * success, a failure is a negative errno value (-ENOENT, -EINVAL, ...). errno itself is not part of the
 * answer.
 *
 * Plain C, no dependencies, thread-safe as long as nobody changes the environment concurrently.
 */
#ifndef HOTSWAP_H
#define HOTSWAP_H

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define HOTSWAP_API __attribute__((visibility("default")))
#else
#define HOTSWAP_API
#endif

/* The first passed socket is fd 3 (systemd's SD_LISTEN_FDS_START). */
#define HOTSWAP_LISTEN_FDS_START 3

/* The name of a socket given without one: hotswap says "default", systemd says "unknown". */
#define HOTSWAP_DEFAULT_LISTENER "default"

/*
 * The number of sockets passed to this process with LISTEN_FDS: 0 when none were (LISTEN_FDS unset, or
 * LISTEN_PID names another process, as when the variables were inherited from a parent), or -EINVAL when
 * LISTEN_FDS or LISTEN_PID is not a number.
 */
HOTSWAP_API int hotswap_listener_count(void);

/*
 * The passed socket called `name` (an entry of LISTEN_FDNAMES; NULL means "default"), marked close-on-exec.
 * A socket passed without a name ("default", systemd's "unknown", an empty entry, or no LISTEN_FDNAMES at
 * all) answers to "default" and "unknown"; when it is the only socket passed it answers to any name.
 * Returns the fd (3 or more), or a negative errno value:
 *   -ENOENT  no socket by that name (or none passed to this process at all);
 *   -EINVAL  LISTEN_FDS or LISTEN_PID is malformed;
 *   -EBADF   LISTEN_FDS counts an fd that is not open.
 * Every passed fd is marked close-on-exec by the first call, so children never inherit them by accident.
 */
HOTSWAP_API int hotswap_listener(const char *name);

/*
 * Sends `state` ("READY=1", "STATUS=warming caches", several separated by '\n') as one datagram to
 * $NOTIFY_SOCKET, a socket path or an abstract name written with a leading '@'.
 * Returns 1 when sent, 0 when NOTIFY_SOCKET is unset or empty (nobody is listening: not an error), or a
 * negative errno value: -EAFNOSUPPORT for a NOTIFY_SOCKET that is neither a path nor '@name',
 * -ENAMETOOLONG for one too long for a unix socket address, -EMSGSIZE for a state over
 * HOTSWAP_NOTIFY_MAX bytes, or the error of socket()/sendto().
 */
HOTSWAP_API int hotswap_notify(const char *state);

/* The largest datagram hotswap_notify() sends (hotswap's supervisor drops bigger ones). */
#define HOTSWAP_NOTIFY_MAX 4096

/* The three below send one state with hotswap_notify() and return what it returns: 1, 0 or -errno. */

/* READY=1: this version is serving; the supervisor may switch to it and drain the previous one. */
HOTSWAP_API int hotswap_ready(void);

/* STATUS=text, shown by the supervisor. Newlines become spaces; text too long is cut at a UTF-8 boundary. */
HOTSWAP_API int hotswap_status(const char *text);

/* STOPPING=1: this version has begun to shut down (say it when the stop signal arrives). */
HOTSWAP_API int hotswap_stopping(void);

#ifdef __cplusplus
}
#endif

#endif /* HOTSWAP_H */
