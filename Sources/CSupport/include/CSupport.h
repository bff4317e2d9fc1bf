#pragma once

/// Asks the kernel to send `signal` to this process when its parent dies (PR_SET_PDEATHSIG).
int saas_set_parent_death_signal(int signal);

/// Rewrites the process title shown by ps/top (the argv area) and the thread name (comm).
/// `title` is truncated to the space the original argv occupied.
void saas_set_process_title(const char *title);

#include <spawn.h>
#include <sys/signalfd.h>

/// posix_spawn_file_actions_addclosefrom_np (glibc ≥ 2.34), which Swift's Glibc module hides.
int saas_spawn_file_actions_addclosefrom(posix_spawn_file_actions_t *actions, int from);

#include "SharedCounters.h"
