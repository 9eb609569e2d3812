/*
 * The pure part of socket activation: what LISTEN_FDS, LISTEN_PID and LISTEN_FDNAMES say, without looking
 * at the environment or at any fd, so the rules can be tested with any values. Internal to libhotswap.
 */
#ifndef HOTSWAP_LISTEN_ENV_H
#define HOTSWAP_LISTEN_ENV_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Whose sockets they are when LISTEN_PID is unset. */
enum hotswap_internal_pid_rule {
    HOTSWAP_INTERNAL_PID_OPTIONAL, /* ours: launchers that cannot know the pid (hotswap --no-listen-pid) */
    HOTSWAP_INTERNAL_PID_REQUIRED  /* not ours, as sd_listen_fds() has it (hotswap adopting its own sockets) */
};

/*
 * How many sockets the variables pass to the process `self_pid`, by the rules of systemd's sd_listen_fds():
 * 0 when `fds` is NULL or empty, or when `pid` names another process (inherited variables); -EINVAL when
 * `pid` is set but not a pid (an empty one included), or `fds` is not a decimal number of at
 * most 65536. A NULL `pid` is 0 sockets under HOTSWAP_INTERNAL_PID_REQUIRED, as for systemd; under
 * HOTSWAP_INTERNAL_PID_OPTIONAL it is accepted, for launchers that cannot know the pid in advance (hotswap
 * --no-listen-pid, a command that forks through a shell).
 */
int hotswap_internal_listen_count(const char *fds, const char *pid, long self_pid,
                                  enum hotswap_internal_pid_rule rule);

/*
 * Which of `count` sockets named by `names` (LISTEN_FDNAMES, ':'-separated, may be NULL) is the one called
 * `name`: its index from 0, or -ENOENT. An exact name wins; then "default", "unknown" and ""
 * find the first unnamed socket; then a lone unnamed socket answers to any name.
 */
int hotswap_internal_listen_index(int count, const char *names, const char *name);

/*
 * The `index`-th entry of `names` (LISTEN_FDNAMES, may be NULL): its first byte, not NUL-terminated, and
 * its `length`, 0 for an absent or empty entry (a socket passed without a name).
 */
const char *hotswap_internal_listen_name(const char *names, int index, size_t *length);

#ifdef __cplusplus
}
#endif

#endif /* HOTSWAP_LISTEN_ENV_H */
