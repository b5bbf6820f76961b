/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfstestoldkernel.c: run a program as if on Debian 12's Linux 6.1
 *
 * Usage: pfstestoldkernel PROGRAM [ARG...]. The helper changes modes
 * through fchmodat2() when the kernel has it (Linux 6.6) and falls back
 * to other ways on the kernels it mostly runs on. So that the suites
 * test the fallback on any kernel, this makes fchmodat2() answer ENOSYS,
 * as an older kernel would, with a seccomp filter that survives exec.
 */
#include "pfsinternal.h"

#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "pfsfile.h"

int
main(int argc, char **argv)
{
    scmp_filter_ctx ctx;

    if (argc < 2) {
        fprintf(stderr, "usage: %s PROGRAM [ARG...]\n", argv[0]);
        return EXIT_FAILURE;
    }
    if (!(ctx = seccomp_init(SCMP_ACT_ALLOW)) ||
        seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), PFS_SYS_FCHMODAT2, 0) < 0 ||
        seccomp_load(ctx) < 0) {
        fprintf(stderr, "%s: cannot install the seccomp filter\n", argv[0]);
        return EXIT_FAILURE;
    }
    seccomp_release(ctx);
    execv(argv[1], argv + 1);
    fprintf(stderr, "%s: cannot run %s: %s\n", argv[0], argv[1], g_strerror(errno));
    return 127;
}
