#pragma once
// Which generation sent a notify datagram: its sender's process group, since every generation runs in a
// group of its own whose id is the leader's pid.

#include <sys/types.h>

namespace hotswap {

// The process group of `pid`, or -1 when the process is gone (it may have exited right after sending).
pid_t process_group_of(pid_t pid);

}  // namespace hotswap
