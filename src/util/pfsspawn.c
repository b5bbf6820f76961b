/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfsspawn.c: running a pfsCmdline as a child process
 */
#include "pfsinternal.h"

#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pfserror.h"
#include "pfsfile.h"
#include "pfslog.h"
#include "pfspidfile.h"
#include "pfsspawn.h"

/* What the child was doing when it gave up; 0 is never sent, so that a
 * report of zeroes cannot pass for a real one. */
typedef enum {
    PFS_SPAWN_STEP_SESSION = 1,
    PFS_SPAWN_STEP_STDIO,
    PFS_SPAWN_STEP_PASS_FD,
    PFS_SPAWN_STEP_CLOSE_FDS,
    PFS_SPAWN_STEP_GROUPS,
    PFS_SPAWN_STEP_GID,
    PFS_SPAWN_STEP_CAPS,
    PFS_SPAWN_STEP_UID,
    PFS_SPAWN_STEP_NO_NEW_PRIVS,
    PFS_SPAWN_STEP_EXEC,
} pfsSpawnStep;

/* Sent by the child over the report pipe instead of exec'ing. */
typedef struct {
    int step;       /* pfsSpawnStep */
    int err;        /* errno */
    int detail;     /* the fd, for PFS_SPAWN_STEP_PASS_FD */
} pfsSpawnReport;

/* Everything the child needs, prepared before fork(): between fork()
 * and execve() the child only makes system calls on these. */
typedef struct {
    const pfsSpawnAttrs *attrs;
    char *const *argv;
    char *const *envp;
    const int *passed;
    size_t npassed;
    const int *keep;        /* passed fds and reportfd, sorted */
    size_t nkeep;
    int nullfd;             /* /dev/null, read-write */
    int reportfd;           /* write end of the report pipe, O_CLOEXEC */
    long openMax;           /* bound for closing fds without close_range */
} pfsSpawnPlan;


/* ---- in the child: async-signal-safe calls only ---- */

static void G_GNUC_NORETURN
pfsSpawnChildFail(const pfsSpawnPlan *plan, pfsSpawnStep step, int err, int detail)
{
    pfsSpawnReport report = { .step = step, .err = err, .detail = detail };
    ssize_t r;

    do {
        r = write(plan->reportfd, &report, sizeof(report));
    } while (r < 0 && errno == EINTR);
    _exit(127);
}


static int
pfsSpawnChildDup2(int from, int to)
{
    int r;

    do {
        r = dup2(from, to);
    } while (r < 0 && (errno == EINTR || errno == EBUSY));
    return r;
}


/* close_range() from @lo to @hi inclusive; without it (Linux < 5.9 or a
 * filter saying ENOSYS) one close() per possible fd. */
static int
pfsSpawnChildCloseRange(unsigned int lo, unsigned int hi, long openMax)
{
    long fd;

    if (syscall(SYS_close_range, lo, hi, 0) == 0)
        return 0;
    if (errno != ENOSYS)
        return -1;
    for (fd = lo; fd <= (long)hi && fd < openMax; fd++)
        close(fd);
    return 0;
}


/* Like pfsCloseFdsExcept(), which allocates and reports errors, so it
 * cannot be used here. plan->keep is sorted and above 2. */
static int
pfsSpawnChildCloseFds(const pfsSpawnPlan *plan)
{
    unsigned int lo = STDERR_FILENO + 1;
    size_t i;

    for (i = 0; i <= plan->nkeep; i++) {
        unsigned int hi = i < plan->nkeep ? (unsigned int)plan->keep[i] : UINT_MAX;

        if (hi > lo && pfsSpawnChildCloseRange(lo, hi - 1, plan->openMax) < 0)
            return -1;
        if (i < plan->nkeep)
            lo = plan->keep[i] + 1;
    }
    return 0;
}


/* The bounding set with prctl(): libcap-ng 0.8.3 (Debian 12) would read
 * it back from /proc with stdio, which is not async-signal-safe, and
 * returns success without touching it when CAP_SETPCAP is not
 * effective. A wanted capability that is not in our bounding set any
 * more cannot come back: EPERM, as from the kernel. */
static int
pfsSpawnChildLimitBounds(guint64 caps)
{
    unsigned int cap;

    for (cap = 0; cap < 64; cap++) {
        bool wanted = caps & (G_GUINT64_CONSTANT(1) << cap);
        int have = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);

        if (have < 0)
            break;          /* past the kernel's last capability */
        if (wanted && !have) {
            errno = EPERM;
            return -1;
        }
        if (!wanted && have && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
            return -1;
    }
    return 0;
}


/* The other sets with libcap-ng, in the child: its state is per thread
 * and reset in a forked child by its own atfork handler (it also names
 * the caller's thread), so it cannot be prepared before fork(). For
 * these sets libcap-ng 0.8.3 only makes the capget(), gettid(), capset()
 * and prctl() system calls (seen with strace), which are
 * async-signal-safe. With a uid switch CAP_SETUID stays permitted and
 * effective for setresuid(), which then clears both sets; no
 * PR_SET_KEEPCAPS, since a program that does not run as root gets no
 * capabilities from execve() anyway, with the ambient set empty. */
static int
pfsSpawnChildApplyCaps(const pfsSpawnAttrs *attrs)
{
    unsigned int cap;

    /* dropping from the bounding set needs CAP_SETPCAP: first */
    if (pfsSpawnChildLimitBounds(attrs->caps) < 0)
        return -1;

    errno = 0;
    capng_clear(CAPNG_SELECT_CAPS | CAPNG_SELECT_AMBIENT);
    for (cap = 0; cap < 64; cap++) {
        if ((attrs->caps & (G_GUINT64_CONSTANT(1) << cap)) &&
            capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, cap) < 0)
            goto error;
    }
    if (attrs->setIds &&
        capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_SETUID) < 0)
        goto error;
    if (capng_apply(CAPNG_SELECT_CAPS | CAPNG_SELECT_AMBIENT) < 0)
        goto error;
    return 0;

 error:
    /* libcap-ng's own failures leave errno alone */
    if (errno == 0)
        errno = EINVAL;
    return -1;
}


static void G_GNUC_NORETURN
pfsSpawnChild(const pfsSpawnPlan *plan)
{
    const pfsSpawnAttrs *attrs = plan->attrs;
    struct sigaction dfl;
    sigset_t none;
    int outfd = attrs->outputFD >= 0 ? attrs->outputFD : plan->nullfd;
    size_t i;
    int sig;

    /* Signals were blocked around fork(), so no handler of the parent
     * can run here; reset them all (an ignored SIGPIPE would otherwise
     * survive execve()). Failures are signals that cannot be changed. */
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    for (sig = 1; sig < NSIG; sig++)
        sigaction(sig, &dfl, NULL);

    if (attrs->newSession && setsid() < 0)
        pfsSpawnChildFail(plan, PFS_SPAWN_STEP_SESSION, errno, 0);

    /* stdout and stderr first: outfd may be 0; dup2() to the same number
     * keeps FD_CLOEXEC, so it is cleared explicitly */
    if (pfsSpawnChildDup2(outfd, STDOUT_FILENO) < 0 ||
        pfsSpawnChildDup2(outfd, STDERR_FILENO) < 0 ||
        pfsSpawnChildDup2(plan->nullfd, STDIN_FILENO) < 0 ||
        fcntl(STDIN_FILENO, F_SETFD, 0) < 0 ||
        fcntl(STDOUT_FILENO, F_SETFD, 0) < 0 ||
        fcntl(STDERR_FILENO, F_SETFD, 0) < 0)
        pfsSpawnChildFail(plan, PFS_SPAWN_STEP_STDIO, errno, 0);

    for (i = 0; i < plan->npassed; i++) {
        int fd = plan->passed[i];
        int flags = fcntl(fd, F_GETFD);

        if (flags < 0 || fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) < 0)
            pfsSpawnChildFail(plan, PFS_SPAWN_STEP_PASS_FD, errno, fd);
    }
    if (pfsSpawnChildCloseFds(plan) < 0)
        pfsSpawnChildFail(plan, PFS_SPAWN_STEP_CLOSE_FDS, errno, 0);

    if (attrs->setIds) {
        if (setgroups(attrs->ngroups, attrs->ngroups ? attrs->groups : NULL) < 0)
            pfsSpawnChildFail(plan, PFS_SPAWN_STEP_GROUPS, errno, 0);
        if (setresgid(attrs->gid, attrs->gid, attrs->gid) < 0)
            pfsSpawnChildFail(plan, PFS_SPAWN_STEP_GID, errno, 0);
    }
    /* while still root: the bounding set needs CAP_SETPCAP */
    if (attrs->setCaps && pfsSpawnChildApplyCaps(attrs) < 0)
        pfsSpawnChildFail(plan, PFS_SPAWN_STEP_CAPS, errno, 0);
    if (attrs->setIds &&
        setresuid(attrs->uid, attrs->uid, attrs->uid) < 0)
        pfsSpawnChildFail(plan, PFS_SPAWN_STEP_UID, errno, 0);
    if (attrs->noNewPrivs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        pfsSpawnChildFail(plan, PFS_SPAWN_STEP_NO_NEW_PRIVS, errno, 0);

    /* a signal that arrived meanwhile is delivered here, with its
     * default action */
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    execve(plan->argv[0], plan->argv, plan->envp);
    pfsSpawnChildFail(plan, PFS_SPAWN_STEP_EXEC, errno, 0);
}


/* ---- in the parent ---- */

static void
pfsSpawnReportChildError(const char *binary,
                         const pfsSpawnAttrs *attrs,
                         const pfsSpawnReport *report)
{
    pfsSpawnStep step = report->step;

    switch (step) {
    case PFS_SPAWN_STEP_SESSION:
        pfsReportSystemError(report->err, _("cannot start a new session for '%s'"),
                             binary);
        return;
    case PFS_SPAWN_STEP_STDIO:
        pfsReportSystemError(report->err, _("cannot set up standard input and output for '%s'"),
                             binary);
        return;
    case PFS_SPAWN_STEP_PASS_FD:
        pfsReportSystemError(report->err, _("cannot pass file descriptor %d to '%s'"),
                             report->detail, binary);
        return;
    case PFS_SPAWN_STEP_CLOSE_FDS:
        pfsReportSystemError(report->err, _("cannot close the other file descriptors for '%s'"),
                             binary);
        return;
    case PFS_SPAWN_STEP_GROUPS:
        pfsReportSystemError(report->err, _("cannot set the supplementary groups for '%s'"),
                             binary);
        return;
    case PFS_SPAWN_STEP_GID:
        pfsReportSystemError(report->err, _("cannot switch to gid %u for '%s'"),
                             (unsigned int)attrs->gid, binary);
        return;
    case PFS_SPAWN_STEP_CAPS:
        pfsReportSystemError(report->err, _("cannot limit the capabilities of '%s' to 0x%llx"),
                             binary, (unsigned long long)attrs->caps);
        return;
    case PFS_SPAWN_STEP_UID:
        pfsReportSystemError(report->err, _("cannot switch to uid %u for '%s'"),
                             (unsigned int)attrs->uid, binary);
        return;
    case PFS_SPAWN_STEP_NO_NEW_PRIVS:
        pfsReportSystemError(report->err, _("cannot set no_new_privs for '%s'"),
                             binary);
        return;
    case PFS_SPAWN_STEP_EXEC:
        pfsReportSystemError(report->err, _("cannot execute '%s'"), binary);
        return;
    }
    pfsReportError(_("'%s' failed to start for an unknown reason (%d)"),
                   binary, report->step);
}


/* Catch what would only show in the child, or worse: an fd that is not
 * open in the parent could get the number of the report pipe or of
 * /dev/null, which the child would then hand to the program. */
static int
pfsSpawnCheck(const char *binary,
              const pfsSpawnAttrs *attrs,
              const int *passed,
              size_t npassed)
{
    size_t i;
    unsigned int cap;

    for (i = 0; i < npassed; i++) {
        if (passed[i] <= STDERR_FILENO) {
            pfsReportError(_("cannot pass file descriptor %d to '%s': 0 to 2 are its standard streams"),
                           passed[i], binary);
            return -1;
        }
        if (fcntl(passed[i], F_GETFD) < 0) {
            pfsReportSystemError(errno, _("cannot pass file descriptor %d to '%s'"),
                                 passed[i], binary);
            return -1;
        }
    }
    if (attrs->outputFD >= 0 && fcntl(attrs->outputFD, F_GETFD) < 0) {
        pfsReportSystemError(errno, _("cannot use file descriptor %d as the output of '%s'"),
                             attrs->outputFD, binary);
        return -1;
    }
    if (attrs->setIds && attrs->ngroups > 0 && !attrs->groups) {
        pfsReportError(_("no list of %zu supplementary groups for '%s'"),
                       attrs->ngroups, binary);
        return -1;
    }
    if (attrs->setCaps) {
        for (cap = 0; cap < 64; cap++) {
            if ((attrs->caps & (G_GUINT64_CONSTANT(1) << cap)) &&
                prctl(PR_CAPBSET_READ, cap, 0, 0, 0) < 0) {
                pfsReportError(_("capability %u for '%s' is unknown to this kernel"),
                               cap, binary);
                return -1;
            }
        }
    }
    return 0;
}


static void
pfsSpawnReap(pid_t pid)
{
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
}


/* The child replaces 0 to 2, where a caller running with its standard
 * streams closed would get our /dev/null and report pipe. */
static int
pfsSpawnMoveAboveStdio(int *fd, const char *binary)
{
    int moved;

    if (*fd > STDERR_FILENO)
        return 0;
    if ((moved = fcntl(*fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1)) < 0) {
        pfsReportSystemError(errno, _("cannot duplicate file descriptor %d to start '%s'"),
                             *fd, binary);
        return -1;
    }
    pfsForceClose(fd);
    *fd = moved;
    return 0;
}


int
pfsSpawn(const pfsCmdline *cmd, const pfsSpawnAttrs *attrs, pid_t *pid)
{
    static const pfsSpawnAttrs defaults = PFS_SPAWN_ATTRS_INIT;
    const char *const *argv = pfsCmdlineGetArgv(cmd);
    const char *binary = argv[0];
    pfsSpawnPlan plan = { 0 };
    g_autofree int *keep = NULL;
    PFS_AUTOCLOSE nullfd = -1;
    PFS_AUTOCLOSE reportRead = -1;
    PFS_AUTOCLOSE reportWrite = -1;
    int pipefd[2];
    pfsSpawnReport report;
    sigset_t all;
    sigset_t saved;
    const int *passed;
    size_t npassed;
    ssize_t n;
    pid_t child;
    int errsv;

    if (!attrs)
        attrs = &defaults;
    passed = pfsCmdlineGetPassedFDs(cmd, &npassed);
    if (pfsSpawnCheck(binary, attrs, passed, npassed) < 0)
        return -1;

    if ((nullfd = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0) {
        pfsReportSystemError(errno, _("cannot open /dev/null for '%s'"), binary);
        return -1;
    }
    /* close-on-exec: EOF on the read end means the program started */
    if (pipe2(pipefd, O_CLOEXEC) < 0) {
        pfsReportSystemError(errno, _("cannot create a pipe to start '%s'"), binary);
        return -1;
    }
    reportRead = pipefd[0];
    reportWrite = pipefd[1];
    if (pfsSpawnMoveAboveStdio(&nullfd, binary) < 0 ||
        pfsSpawnMoveAboveStdio(&reportWrite, binary) < 0)
        return -1;

    keep = g_new0(int, npassed + 1);
    if (npassed > 0)
        memcpy(keep, passed, npassed * sizeof(int));
    keep[npassed] = reportWrite;
    qsort(keep, npassed + 1, sizeof(int), pfsFDCompare);

    plan.attrs = attrs;
    plan.argv = (char *const *)argv;
    plan.envp = (char *const *)pfsCmdlineGetEnv(cmd);
    plan.passed = passed;
    plan.npassed = npassed;
    plan.keep = keep;
    plan.nkeep = npassed + 1;
    plan.nullfd = nullfd;
    plan.reportfd = reportWrite;
    plan.openMax = sysconf(_SC_OPEN_MAX);
    if (plan.openMax < 0)
        plan.openMax = 65536;

    /* no handler of ours may run in the child before it resets them */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    child = fork();
    if (child == 0)
        pfsSpawnChild(&plan);
    errsv = errno;
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    if (child < 0) {
        pfsReportSystemError(errsv, _("cannot fork to run '%s'"), binary);
        return -1;
    }

    /* our copy would keep the read below from ever seeing EOF */
    pfsForceClose(&reportWrite);
    n = pfsSafeRead(reportRead, &report, sizeof(report));
    if (n == sizeof(report)) {
        pfsSpawnReap(child);
        pfsSpawnReportChildError(binary, attrs, &report);
        return -1;
    }
    if (n != 0) {
        errsv = n < 0 ? errno : EIO;
        kill(child, SIGKILL);
        pfsSpawnReap(child);
        pfsReportSystemError(errsv, _("cannot learn whether '%s' started"), binary);
        return -1;
    }

    if (attrs->pidFile && pfsPidFileWrite(attrs->pidFile, child) < 0) {
        kill(child, SIGKILL);
        pfsSpawnReap(child);
        return -1;
    }

    PFS_DEBUG("started '%s' as pid %lld", binary, (long long)child);
    *pid = child;
    return 0;
}


int
pfsSpawnRun(const pfsCmdline *cmd, const pfsSpawnAttrs *attrs, int *status)
{
    pid_t pid;

    if (pfsSpawn(cmd, attrs, &pid) < 0)
        return -1;
    if (pfsSpawnWait(pid, -1, status) < 0)
        return -1;
    return 0;
}


int
pfsSpawnWait(pid_t pid, int timeoutMs, int *status)
{
    PFS_AUTOCLOSE pidfd = -1;
    gint64 deadline = 0;
    int options = timeoutMs < 0 ? 0 : WNOHANG;
    int st;

    if (timeoutMs >= 0) {
        deadline = g_get_monotonic_time() + (gint64)timeoutMs * 1000;
        /* readable when the process ends; without it, poll every 10ms */
        pidfd = syscall(SYS_pidfd_open, pid, 0);
    }

    for (;;) {
        pid_t r = waitpid(pid, &st, options);
        gint64 left;

        if (r == pid)
            break;
        if (r < 0) {
            if (errno == EINTR)
                continue;
            pfsReportSystemError(errno, _("cannot wait for process %lld"),
                                 (long long)pid);
            return -1;
        }

        left = (deadline - g_get_monotonic_time() + 999) / 1000;
        if (left <= 0)
            return 0;
        if (pidfd >= 0) {
            struct pollfd pfd = { .fd = pidfd, .events = POLLIN };

            /* EINTR, like a timeout or the end, is checked above */
            poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
        } else {
            g_usleep(MIN(left, 10) * 1000);
        }
    }

    if (status)
        *status = st;
    return 1;
}


int
pfsSpawnTerminate(pid_t pid, int graceMs, int *status)
{
    int r;

    if (kill(pid, SIGTERM) < 0) {
        pfsReportSystemError(errno, _("cannot send SIGTERM to process %lld"),
                             (long long)pid);
        return -1;
    }
    if ((r = pfsSpawnWait(pid, graceMs, status)) < 0)
        return -1;
    if (r == 1)
        return 0;

    PFS_DEBUG("process %lld outlived SIGTERM by %d ms, killing it",
              (long long)pid, graceMs);
    if (kill(pid, SIGKILL) < 0) {
        pfsReportSystemError(errno, _("cannot send SIGKILL to process %lld"),
                             (long long)pid);
        return -1;
    }
    if (pfsSpawnWait(pid, -1, status) < 0)
        return -1;
    return 0;
}


char *
pfsSpawnDescribeStatus(int status)
{
    if (WIFEXITED(status))
        return g_strdup_printf(_("exited with status %d"), WEXITSTATUS(status));
    if (WIFSIGNALED(status) && WCOREDUMP(status))
        return g_strdup_printf(_("killed by signal %d (%s), core dumped"),
                               WTERMSIG(status), g_strsignal(WTERMSIG(status)));
    if (WIFSIGNALED(status))
        return g_strdup_printf(_("killed by signal %d (%s)"),
                               WTERMSIG(status), g_strsignal(WTERMSIG(status)));
    if (WIFSTOPPED(status))
        return g_strdup_printf(_("stopped by signal %d (%s)"),
                               WSTOPSIG(status), g_strsignal(WSTOPSIG(status)));
    return g_strdup_printf(_("ended with unknown status 0x%x"), (unsigned int)status);
}
