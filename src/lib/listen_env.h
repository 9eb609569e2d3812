/*
 * The pure part of socket activation: what LISTEN_FDS, LISTEN_PID and LISTEN_FDNAMES say, without looking
 * at the environment or at any fd, so the rules can be tested with any values. Internal to libhotswap.
 */
#ifndef HOTSWAP_LISTEN_ENV_H
#define HOTSWAP_LISTEN_ENV_H

#ifdef __cplusplus
extern "C" {
#endif

/*
 * How many sockets the variables pass to the process `self_pid`: 0 when `fds` is NULL or empty, or when
 * `pid` names another process (inherited variables); -EINVAL when `fds` or `pid` is not a
 * decimal number. A NULL or empty `pid` is accepted, for launchers that cannot know the pid in advance.
 */
int hotswap_internal_listen_count(const char *fds, const char *pid, long self_pid);

/*
 * Which of `count` sockets named by `names` (LISTEN_FDNAMES, ':'-separated, may be NULL) is the one called
 * `name`: its index from 0, or -ENOENT. An exact name wins; then "default", "unknown" and ""
 * find the first unnamed socket; then a lone unnamed socket answers to any name.
 */
int hotswap_internal_listen_index(int count, const char *names, const char *name);

#ifdef __cplusplus
}
#endif

#endif /* HOTSWAP_LISTEN_ENV_H */
