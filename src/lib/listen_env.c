#include "listen_env.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <string.h>

/* More sockets than this is a corrupt variable, not a real hand-off. */
enum { MAX_LISTEN_FDS = 65536 };

/* A whole string of decimal digits, no sign or spaces, at most `max`. -1 when it is anything else. */
static long parse_decimal(const char *text, long max) {
    long value = 0;
    if (*text == '\0') return -1;
    for (; *text; ++text) {
        if (*text < '0' || *text > '9') return -1;
        if (value > (max - (*text - '0')) / 10) return -1;
        value = value * 10 + (*text - '0');
    }
    return value;
}

int hotswap_internal_listen_count(const char *fds, const char *pid, long self_pid,
                                  enum hotswap_internal_pid_rule rule) {
    long count, owner;
    if (fds == NULL || *fds == '\0') return 0;
    /* Whose sockets first, as sd_listen_fds() does: variables inherited from a parent are none of our
     * business, whatever their LISTEN_FDS says. An unset LISTEN_PID is accepted only where the caller
     * says so (hotswap --no-listen-pid leaves it out for commands that fork through a shell); a set one
     * must be a pid, and "" is not. */
    if (pid == NULL) {
        if (rule == HOTSWAP_INTERNAL_PID_REQUIRED) return 0;
    } else {
        owner = parse_decimal(pid, LONG_MAX);
        if (owner <= 0) return -EINVAL;
        if (owner != self_pid) return 0;
    }
    count = parse_decimal(fds, MAX_LISTEN_FDS);
    if (count < 0) return -EINVAL;
    return (int)count;
}

/* One ':'-separated entry of LISTEN_FDNAMES. */
struct entry {
    const char *text;
    size_t length;
};

/* The `index`-th entry of `names`; an absent one (NULL names, too few entries) is empty. */
static struct entry entry_at(const char *names, int index) {
    struct entry e = {"", 0};
    const char *end;
    if (names == NULL) return e;
    for (; index > 0; --index) {
        names = strchr(names, ':');
        if (names == NULL) return e;
        ++names;
    }
    end = strchr(names, ':');
    e.text = names;
    e.length = end ? (size_t)(end - names) : strlen(names);
    return e;
}

static int entry_is(struct entry e, const char *name) {
    return e.length == strlen(name) && memcmp(e.text, name, e.length) == 0;
}

/* Names that mean "no name given": hotswap's, systemd's, and nothing at all. */
static int means_unnamed(const char *name) {
    return *name == '\0' || strcmp(name, "default") == 0 || strcmp(name, "unknown") == 0;
}

static int entry_unnamed(struct entry e) {
    return e.length == 0 || entry_is(e, "default") || entry_is(e, "unknown");
}

int hotswap_internal_listen_index(int count, const char *names, const char *name) {
    int i;
    if (name == NULL) name = "default";
    for (i = 0; i < count; ++i)
        if (entry_is(entry_at(names, i), name)) return i;
    if (means_unnamed(name))
        for (i = 0; i < count; ++i)
            if (entry_unnamed(entry_at(names, i))) return i;
    if (count == 1 && entry_unnamed(entry_at(names, 0))) return 0;
    return -ENOENT;
}

const char *hotswap_internal_listen_name(const char *names, int index, size_t *length) {
    struct entry e = entry_at(names, index);
    *length = e.length;
    return e.text;
}
