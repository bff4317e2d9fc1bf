#define _GNU_SOURCE
#include "CSupport.h"

#include <string.h>
#include <sys/prctl.h>

int saas_set_parent_death_signal(int signal) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)signal, 0, 0, 0);
}

// The argv block is captured before main() by a constructor (glibc passes argc/argv/envp to
// .init_array functions), so the title can overwrite the original argument area that
// /proc/PID/cmdline shows.
static char *argv_start = NULL;
static size_t argv_space = 0;

__attribute__((constructor)) static void saas_capture_argv(int argc, char **argv, char **envp) {
    (void)envp;
    if (argc <= 0 || argv == NULL || argv[0] == NULL) return;
    char *end = argv[0] + strlen(argv[0]);
    for (int i = 1; i < argc; i++) {
        if (argv[i] == end + 1) end = argv[i] + strlen(argv[i]);
    }
    argv_start = argv[0];
    argv_space = (size_t)(end - argv_start);
}

void saas_set_process_title(const char *title) {
    prctl(PR_SET_NAME, (unsigned long)title, 0, 0, 0);
    if (argv_start == NULL || argv_space == 0) return;
    size_t len = strlen(title);
    if (len > argv_space) len = argv_space;
    memcpy(argv_start, title, len);
    memset(argv_start + len, 0, argv_space - len + 1);
}

int saas_spawn_file_actions_addclosefrom(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}

#include <sys/mman.h>

int saas_memfd_create(const char *name) {
    return memfd_create(name, MFD_CLOEXEC);
}
