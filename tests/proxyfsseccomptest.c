/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxyfsseccomptest.c: the helper's seccomp filter, tried call by call
 *
 * Each case forks a child that installs exactly the filter the helper
 * loads and then makes one system call, with arguments that would be
 * harmless anyway. Forbidden calls must kill the child with SIGSYS (or,
 * for socket and connect, fail with EACCES); allowed ones must return.
 */
#include "pfsinternal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pfstestutils.h"
#include "proxyfs_seccomp.h"

typedef enum {
    EXPECT_KILLED,      /* SIGSYS */
    EXPECT_EACCES,      /* refused with EACCES, the process lives on */
    EXPECT_ALLOWED,     /* the kernel handled it, whatever it answered */
} expectation;

typedef struct {
    const char *name;
    long (*call)(void);
    expectation expect;
} syscallCase;

static long tryExecve(void) { char *argv[] = { (char *)"/bin/true", NULL }; return execve(argv[0], argv, NULL); }
static long tryPtrace(void) { return syscall(SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0); }
static long tryMount(void) { return syscall(SYS_mount, "none", "/", "tmpfs", 0, NULL); }
static long tryUmount(void) { return syscall(SYS_umount2, "/", 2 /* MNT_DETACH */); }
static long tryUnshareUser(void) { return syscall(SYS_unshare, CLONE_NEWUSER); }
static long trySetns(void) { return syscall(SYS_setns, -1, 0); }
static long tryOpenByHandle(void) { return syscall(SYS_open_by_handle_at, -1, NULL, 0); }
static long tryNameToHandle(void) { return syscall(SYS_name_to_handle_at, AT_FDCWD, "/", NULL, NULL, 0); }
static long trySetuid(void) { return syscall(SYS_setuid, 0); }
static long trySetresuid(void) { return syscall(SYS_setresuid, 0, 0, 0); }
static long trySetgroups(void) { return syscall(SYS_setgroups, 0, NULL); }
static long tryCapset(void) { return syscall(SYS_capset, NULL, NULL); }
static long trySecurebits(void) { return syscall(SYS_prctl, PR_SET_SECUREBITS, 0, 0, 0, 0); }
static long tryDumpable(void) { return syscall(SYS_prctl, PR_SET_DUMPABLE, 1, 0, 0, 0); }
static long tryKexec(void) { return syscall(SYS_kexec_load, 0, 0, NULL, 0); }
static long tryBpf(void) { return syscall(SYS_bpf, 0, NULL, 0); }
static long tryUserfaultfd(void) { return syscall(SYS_userfaultfd, 0); }
static long tryIoUring(void) { return syscall(SYS_io_uring_setup, 0, NULL); }
static long tryClone(void) { return syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0); }
static long tryChroot(void) { return syscall(SYS_chroot, "/"); }
static long tryPivotRoot(void) { return syscall(SYS_pivot_root, ".", "."); }
static long tryInitModule(void) { return syscall(SYS_finit_module, -1, "", 0); }
static long tryKeyctl(void) { return syscall(SYS_keyctl, 0, 0, 0, 0, 0); }
static long tryPerf(void) { return syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0); }
static long tryProcessVm(void) { return syscall(SYS_process_vm_readv, 1, NULL, 0, NULL, 0, 0); }
static long tryMemfd(void) { return syscall(SYS_memfd_create, "x", 0); }
static long tryGetdents(void) { return syscall(SYS_getdents64, -1, NULL, 0); }
static long trySocketpair(void) { int sv[2]; return syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, sv); }
static long tryBind(void) { return syscall(SYS_bind, -1, NULL, 0); }
static long tryListen(void) { return syscall(SYS_listen, -1, 0); }
static long tryAccept(void) { return syscall(SYS_accept4, 0, NULL, NULL, 0); }
static long tryKill(void) { return syscall(SYS_kill, 1, 0); }
/* Other processes, which run as the same user for every other helper:
 * none may be signalled, throttled or inspected. The parent (the test)
 * stands for another helper; signal 0 would harm nothing. Its pid is
 * taken before the filter is loaded (getppid() itself is forbidden). */
static pid_t other;
static long tryTgkillOther(void) { return syscall(SYS_tgkill, other, other, 0); }
static long tryTgkillOtherThread(void) { return syscall(SYS_tgkill, getpid(), other, 0); }
static long tryTgkillSelf(void) { return syscall(SYS_tgkill, getpid(), getpid(), 0); }
static long tryTkill(void) { return syscall(SYS_tkill, other, 0); }
static long trySigqueue(void) { return syscall(SYS_rt_sigqueueinfo, other, 0, NULL); }
static long tryTgSigqueue(void) { return syscall(SYS_rt_tgsigqueueinfo, other, other, 0, NULL); }
static long tryPidfdOpen(void) { return syscall(SYS_pidfd_open, other, 0); }
static long tryPidfdSignal(void) { return syscall(SYS_pidfd_send_signal, 0, 0, NULL, 0); }
static long tryPrlimit(void) { return syscall(SYS_prlimit64, other, RLIMIT_NOFILE, NULL, NULL); }
static long trySetpriority(void) { return syscall(SYS_setpriority, PRIO_PROCESS, other, 0); }
static long trySchedSetaffinity(void) { return syscall(SYS_sched_setaffinity, other, 0, NULL); }
static long trySchedSetscheduler(void) { return syscall(SYS_sched_setscheduler, other, 0, NULL); }
static long tryIoprioSet(void) { return syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, other, 0); }
static long tryKcmp(void) { return syscall(SYS_kcmp, getpid(), other, 0, 0, 0); }
static long tryProcessMadvise(void) { return syscall(SYS_process_madvise, -1, NULL, 0, 0, 0); }
static long tryFcntlSetown(void) { return syscall(SYS_fcntl, 0, F_SETOWN, other); }
static long tryIoctlTty(void) { char c = 'x'; return syscall(SYS_ioctl, 0, TIOCSTI, &c); }
static long tryFcntlDup(void) { return syscall(SYS_fcntl, 0, F_DUPFD, 10); }
static long tryMmapExec(void) { return (long)mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); }
static long tryMprotectExec(void) { static char page[8192]; return mprotect((void *)(((unsigned long)page + 4095) & ~4095UL), 4096, PROT_READ | PROT_EXEC); }
static long tryExecveat(void) { return syscall(SYS_execveat, AT_FDCWD, "/bin/true", NULL, NULL, 0); }
static long trySocketInet(void) { return syscall(SYS_socket, AF_INET, SOCK_STREAM, 0); }
static long tryConnect(void) { return syscall(SYS_connect, -1, NULL, 0); }
static long tryOpenat(void) { return syscall(SYS_openat, AT_FDCWD, "/", O_PATH | O_CLOEXEC); }
static long tryFstatat(void) { struct stat st; return fstatat(AT_FDCWD, "/", &st, AT_SYMLINK_NOFOLLOW); }
static long tryFcntlGetfl(void) { return syscall(SYS_fcntl, 0, F_GETFL); }
static long tryIoctlGetversion(void) { long v; return syscall(SYS_ioctl, 0, FS_IOC_GETVERSION, &v); }
static long tryMmapRead(void) { return (long)mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); }
static long tryMkdirat(void) { return syscall(SYS_mkdirat, -1, "x", 0700); }
static long tryXattr(void) { return syscall(SYS_lgetxattr, "/", "user.x", NULL, 0); }

static const syscallCase cases[] = {
    { "execve", tryExecve, EXPECT_KILLED },
    { "execveat", tryExecveat, EXPECT_KILLED },
    { "ptrace", tryPtrace, EXPECT_KILLED },
    { "mount", tryMount, EXPECT_KILLED },
    { "umount2", tryUmount, EXPECT_KILLED },
    { "unshare(CLONE_NEWUSER)", tryUnshareUser, EXPECT_KILLED },
    { "setns", trySetns, EXPECT_KILLED },
    { "open_by_handle_at", tryOpenByHandle, EXPECT_KILLED },
    { "name_to_handle_at", tryNameToHandle, EXPECT_KILLED },
    { "setuid(0)", trySetuid, EXPECT_KILLED },
    { "setresuid", trySetresuid, EXPECT_KILLED },
    { "setgroups", trySetgroups, EXPECT_KILLED },
    { "capset", tryCapset, EXPECT_KILLED },
    { "prctl(PR_SET_SECUREBITS)", trySecurebits, EXPECT_KILLED },
    { "prctl(PR_SET_DUMPABLE)", tryDumpable, EXPECT_KILLED },
    { "kexec_load", tryKexec, EXPECT_KILLED },
    { "bpf", tryBpf, EXPECT_KILLED },
    { "userfaultfd", tryUserfaultfd, EXPECT_KILLED },
    { "io_uring_setup", tryIoUring, EXPECT_KILLED },
    { "clone", tryClone, EXPECT_KILLED },
    { "chroot", tryChroot, EXPECT_KILLED },
    { "pivot_root", tryPivotRoot, EXPECT_KILLED },
    { "finit_module", tryInitModule, EXPECT_KILLED },
    { "keyctl", tryKeyctl, EXPECT_KILLED },
    { "perf_event_open", tryPerf, EXPECT_KILLED },
    { "process_vm_readv", tryProcessVm, EXPECT_KILLED },
    { "memfd_create", tryMemfd, EXPECT_KILLED },
    { "getdents64", tryGetdents, EXPECT_KILLED },
    { "socketpair", trySocketpair, EXPECT_KILLED },
    { "bind", tryBind, EXPECT_KILLED },
    { "listen", tryListen, EXPECT_KILLED },
    { "accept4 (no listening socket)", tryAccept, EXPECT_KILLED },
    { "kill", tryKill, EXPECT_KILLED },
    { "tgkill(another process)", tryTgkillOther, EXPECT_KILLED },
    { "tgkill(own pid, another tid)", tryTgkillOtherThread, EXPECT_KILLED },
    { "tkill", tryTkill, EXPECT_KILLED },
    { "rt_sigqueueinfo", trySigqueue, EXPECT_KILLED },
    { "rt_tgsigqueueinfo", tryTgSigqueue, EXPECT_KILLED },
    { "pidfd_open", tryPidfdOpen, EXPECT_KILLED },
    { "pidfd_send_signal", tryPidfdSignal, EXPECT_KILLED },
    { "prlimit64(another process)", tryPrlimit, EXPECT_KILLED },
    { "setpriority", trySetpriority, EXPECT_KILLED },
    { "sched_setaffinity", trySchedSetaffinity, EXPECT_KILLED },
    { "sched_setscheduler", trySchedSetscheduler, EXPECT_KILLED },
    { "ioprio_set", tryIoprioSet, EXPECT_KILLED },
    { "kcmp", tryKcmp, EXPECT_KILLED },
    { "process_madvise", tryProcessMadvise, EXPECT_KILLED },
    { "fcntl(F_SETOWN)", tryFcntlSetown, EXPECT_KILLED },
    { "ioctl(TIOCSTI)", tryIoctlTty, EXPECT_KILLED },
    { "fcntl(F_DUPFD)", tryFcntlDup, EXPECT_KILLED },
    { "mmap(PROT_EXEC)", tryMmapExec, EXPECT_KILLED },
    { "mprotect(PROT_EXEC)", tryMprotectExec, EXPECT_KILLED },
    { "socket(AF_INET)", trySocketInet, EXPECT_EACCES },
    { "connect", tryConnect, EXPECT_EACCES },
    { "openat", tryOpenat, EXPECT_ALLOWED },
    { "newfstatat", tryFstatat, EXPECT_ALLOWED },
    { "fcntl(F_GETFL)", tryFcntlGetfl, EXPECT_ALLOWED },
    { "ioctl(FS_IOC_GETVERSION)", tryIoctlGetversion, EXPECT_ALLOWED },
    { "mmap(PROT_READ|PROT_WRITE)", tryMmapRead, EXPECT_ALLOWED },
    { "mkdirat", tryMkdirat, EXPECT_ALLOWED },
    { "lgetxattr", tryXattr, EXPECT_ALLOWED },
    /* abort() signals the helper itself */
    { "tgkill(itself)", tryTgkillSelf, EXPECT_ALLOWED },
};


static void
testFilter(void **state)
{
    size_t i;
    unsigned int failures = 0;

    other = getpid();
    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        int status;
        pid_t pid;

        if ((pid = fork()) == 0) {
            long r;

            if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || pfsSeccompLoad(-1) < 0)
                _exit(100);
            errno = 0;
            r = cases[i].call();
            if (cases[i].expect == EXPECT_EACCES)
                _exit(r == -1 && errno == EACCES ? 0 : 101);
            _exit(0);
        }
        assert_true(pid > 0);
        assert_int_equal(waitpid(pid, &status, 0), pid);

        switch (cases[i].expect) {
        case EXPECT_KILLED:
            if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSYS) {
                print_error("%s: not killed (status 0x%x)\n", cases[i].name, status);
                failures++;
            }
            break;
        case EXPECT_EACCES:
        case EXPECT_ALLOWED:
        default:
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                print_error("%s: expected to %s (status 0x%x)\n", cases[i].name,
                            cases[i].expect == EXPECT_EACCES ? "fail with EACCES" : "be allowed",
                            status);
                failures++;
            }
            break;
        }
    }
    print_message("[   INFO   ] %zu system calls tried\n", G_N_ELEMENTS(cases));
    assert_int_equal(failures, 0);
}


/* abort() still ends the helper with SIGABRT, not SIGSYS: the rule that
 * lets it signal only itself matches what glibc sends. */
static void
testAbortSignalsItself(void **state)
{
    int status;
    pid_t pid;

    if ((pid = fork()) == 0) {
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || pfsSeccompLoad(-1) < 0)
            _exit(100);
        abort();
    }
    assert_true(pid > 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT) {
        print_error("abort() under the filter: status 0x%x\n", status);
        fail();
    }
}


/* accept4 is allowed on the listening socket given, and only there */
static void
testAcceptOnListenFdOnly(void **state)
{
    int report[2];
    char got;
    int sv[2];
    int status;
    pid_t pid;

    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    if ((pid = fork()) == 0) {
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || pfsSeccompLoad(sv[0]) < 0)
            _exit(100);
        /* a socketpair end is not listening: EINVAL, but not killed */
        syscall(SYS_accept4, sv[0], NULL, NULL, 0);
        /* another fd: killed */
        syscall(SYS_accept4, sv[1], NULL, NULL, 0);
        _exit(0);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS);

    /* the client's credentials may be read, and nothing else */
    assert_int_equal(pipe(report), 0);
    if ((pid = fork()) == 0) {
        struct ucred cred;
        socklen_t len = sizeof(cred);
        int size;

        close(report[0]);
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || pfsSeccompLoad(sv[0]) < 0)
            _exit(100);
        if (getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
            _exit(101);
        /* proof that we got here alive */
        if (write(report[1], "1", 1) != 1)
            _exit(102);
        len = sizeof(size);
        getsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &size, &len);
        _exit(0);
    }
    close(report[1]);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS);
    assert_int_equal(read(report[0], &got, 1), 1);
    close(report[0]);
    close(sv[0]);
    close(sv[1]);
}


int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(testFilter),
        cmocka_unit_test(testAcceptOnListenFdOnly),
        cmocka_unit_test(testAbortSignalsItself),
    };

    return cmocka_run_group_tests_name("proxyfs seccomp filter", tests, NULL, NULL);
}
