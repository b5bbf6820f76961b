/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxyfs_seccomp.c: the helper's system call allowlist
 *
 * Loaded last, once the helper is confined and has its final identity,
 * so the list only holds what serving requests needs: the *at() calls
 * of the operations, the socket I/O of the connection, memory for the
 * allocator, and logging. Everything else kills the process, in
 * particular execve, ptrace, mount, unshare, setns, open_by_handle_at,
 * clone and every set*id and capset call.
 */
#include "pfsinternal.h"

#include <errno.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pfserror.h"
#include "pfsfile.h"
#include "proxyfs_seccomp.h"

/* Allowed with any arguments. */
static const int pfsSeccompAllowed[] = {
    /* the connection, and logging to stderr or syslog */
    SCMP_SYS(read), SCMP_SYS(recvfrom), SCMP_SYS(write), SCMP_SYS(writev),
    SCMP_SYS(sendto), SCMP_SYS(sendmsg), SCMP_SYS(pread64),
    SCMP_SYS(close), SCMP_SYS(getpid),
    /* the operations; the paths they take resolve inside the export */
    SCMP_SYS(openat), SCMP_SYS(openat2),
    SCMP_SYS(newfstatat), SCMP_SYS(fstat), SCMP_SYS(statx), SCMP_SYS(fstatfs),
    SCMP_SYS(mkdirat), SCMP_SYS(mknodat), SCMP_SYS(symlinkat),
    SCMP_SYS(linkat), SCMP_SYS(renameat), SCMP_SYS(renameat2),
    SCMP_SYS(unlinkat), SCMP_SYS(readlinkat),
    SCMP_SYS(fchownat), SCMP_SYS(fchown), SCMP_SYS(fchmodat), SCMP_SYS(fchmod),
    SCMP_SYS(ftruncate), SCMP_SYS(utimensat), SCMP_SYS(fchdir),
    PFS_SYS_FCHMODAT2,      /* libseccomp 2.5.4 does not know its name */
    SCMP_SYS(lgetxattr), SCMP_SYS(llistxattr), SCMP_SYS(lsetxattr),
    SCMP_SYS(lremovexattr),
    /* memory (mmap and mprotect are filtered below) */
    SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(madvise),
    /* time stamps, when the vDSO falls back to the kernel */
    SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday), SCMP_SYS(time),
    /* signals and the way out: abort() included */
    SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask), SCMP_SYS(sigaltstack),
    SCMP_SYS(rt_sigaction),
    SCMP_SYS(restart_syscall), SCMP_SYS(gettid),
    SCMP_SYS(exit), SCMP_SYS(exit_group),
};

/* fcntl() commands the operations use. */
static const int pfsSeccompFcntlCmds[] = {
    F_GETFD, F_SETFD, F_GETFL, F_SETFL,
};


int
pfsSeccompLoad(int listenfd)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
    pid_t self = getpid();
    const char *failed = NULL;
    size_t i;
    int r = 0;

    if (!ctx) {
        pfsReportError(_("cannot create a seccomp filter"));
        return -1;
    }

    for (i = 0; i < G_N_ELEMENTS(pfsSeccompAllowed) && r == 0; i++)
        r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, pfsSeccompAllowed[i], 0);
    if (r < 0) {
        failed = "allowlist";
        goto cleanup;
    }

    for (i = 0; i < G_N_ELEMENTS(pfsSeccompFcntlCmds) && r == 0; i++)
        r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(fcntl), 1,
                             SCMP_A1(SCMP_CMP_EQ, pfsSeccompFcntlCmds[i]));
    /* the one ioctl: T_GETVERSION */
    if (r == 0)
        r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
                             SCMP_A1(SCMP_CMP_EQ, FS_IOC_GETVERSION));
    /* abort() signals itself; no other process may be signalled: every
     * helper runs as the same user, and the kernel would let one that was
     * taken over stop or kill the others. The helper is single-threaded,
     * so its one thread id is its pid. */
    if (r == 0)
        r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 2,
                             SCMP_A0(SCMP_CMP_EQ, self),
                             SCMP_A1(SCMP_CMP_EQ, self));
    /* memory, but never executable memory */
    if (r == 0)
        r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
                             SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
    if (r == 0)
        r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
                             SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
    /* socket mode: the one client still to come, and its credentials */
    if (r == 0 && listenfd >= 0)
        r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(accept4), 1,
                             SCMP_A0(SCMP_CMP_EQ, listenfd));
    /* ... and the wait for it, which a stop signal must be able to end */
    if (r == 0 && listenfd >= 0)
        r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ppoll), 0);
    if (r == 0 && listenfd >= 0)
        r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(getsockopt), 2,
                             SCMP_A1(SCMP_CMP_EQ, SOL_SOCKET),
                             SCMP_A2(SCMP_CMP_EQ, SO_PEERCRED));
    /* glibc's syslog() reconnects when journald restarts: let that fail
     * (the message is lost) instead of killing the helper */
    if (r == 0)
        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket), 0);
    if (r == 0)
        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(connect), 0);
    if (r < 0) {
        failed = "argument rules";
        goto cleanup;
    }

    if ((r = seccomp_load(ctx)) < 0)
        failed = "load";

 cleanup:
    seccomp_release(ctx);
    if (failed) {
        pfsReportSystemError(-r, _("cannot install the seccomp filter (%s)"), failed);
        return -1;
    }
    return 0;
}
