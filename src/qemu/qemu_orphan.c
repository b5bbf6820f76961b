/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_orphan.c: the processes of a domain whose supervisor died
 *
 * A supervisor killed with SIGKILL (or by the OOM killer) leaves QEMU and
 * the helpers running, reparented to init. Their state directory still
 * names them: the pid files, and the domain.xml the supervisor saved
 * there (root's, 0700, so trusted). A pid file alone is only a claim (the
 * pid may have been recycled), so a process is taken for the domain's
 * only when its program is the one that was started (same file, by
 * device and inode) and its arguments name the domain (QEMU's
 * "-name guest=NAME,...") or the share (a helper's "--path SRC"); it is
 * then held by a pidfd, and signalled only through it.
 */
#include "pfsinternal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "domain_conf.h"
#include "pfserror.h"
#include "pfsfile.h"
#include "pfslog.h"
#include "pfspidfile.h"
#include "qemu_domain.h"
#include "qemu_monitor.h"
#include "qemu_orphan.h"
#include "qemu_process.h"

/* how long the helpers get to notice that QEMU is gone */
#define QEMU_ORPHAN_HELPER_GRACE_MS 5000
/* after SIGTERM, before SIGKILL */
#define QEMU_ORPHAN_TERM_GRACE_MS 5000


void
qemuOrphanFree(qemuOrphan *orphan)
{
    if (!orphan)
        return;
    pfsForceClose(&orphan->pidfd);
    g_free(orphan->what);
    g_free(orphan->pidFile);
    g_free(orphan);
}


/* The pid that @path names, or 0: with @alive, only while that process
 * lives and, with @binary, runs it. A pid file that cannot be read names
 * nothing; a warning says why. */
static pid_t
qemuOrphanReadPid(const char *path, bool alive, const char *binary)
{
    pid_t pid;
    int r = alive ? pfsPidFileReadIfAlive(path, binary, &pid) : pfsPidFileRead(path, &pid);

    if (r < 0)
        PFS_WARN("%s", pfsErrorLastMessage());
    return r > 0 ? pid : 0;
}


/* Whether process @pid runs @binary (the same file) with @arg followed by
 * @value among its arguments. A zombie or a process that is gone has no
 * program and does not match. */
static bool
qemuOrphanIsProcess(pid_t pid, const char *binary, const char *arg, const char *value)
{
    g_autofree char *exe = g_strdup_printf("/proc/%d/exe", (int)pid);
    g_autofree char *cmdPath = g_strdup_printf("/proc/%d/cmdline", (int)pid);
    g_autofree char *cmdline = NULL;
    struct stat want;
    struct stat have;
    gsize len = 0;
    gsize off;
    bool prev = false;

    if (stat(binary, &want) < 0 || stat(exe, &have) < 0)
        return false;
    if (want.st_dev != have.st_dev || want.st_ino != have.st_ino) {
        /* an upgrade may have replaced the program since it started */
        g_autofree char *target = g_file_read_link(exe, NULL);
        g_autofree char *real = realpath(binary, NULL);
        g_autofree char *deleted = real ? g_strdup_printf("%s (deleted)", real) : NULL;

        if (!target || !deleted || strcmp(target, deleted) != 0)
            return false;
    }
    if (!g_file_get_contents(cmdPath, &cmdline, &len, NULL))
        return false;
    for (off = 0; off < len; off += strlen(cmdline + off) + 1) {
        if (prev && strcmp(cmdline + off, value) == 0)
            return true;
        prev = strcmp(cmdline + off, arg) == 0;
    }
    return false;
}


pid_t
qemuOrphanSupervisorPid(const qemuDriverConfig *cfg, const char *name)
{
    g_autofree char *stateDir = qemuProcessStateDir(cfg, name);
    g_autofree char *path = g_build_filename(stateDir, QEMU_PROCESS_SUPERVISOR_PID_FILE, NULL);

    /* a zombie (no program) or another program under a recycled pid is
     * not a supervisor */
    return qemuOrphanReadPid(path, true, "/proc/self/exe");
}


/* Add the process of @pidFile to @orphans when it is alive and is the one
 * described. */
static void
qemuOrphanCheck(GPtrArray *orphans, const char *pidFile, const char *what, bool isQEMU,
                const char *binary, const char *arg, const char *value)
{
    g_autoptr(qemuOrphan) orphan = NULL;
    pid_t pid = qemuOrphanReadPid(pidFile, false, NULL);
    int pidfd;

    if (pid == 0)
        return;
    /* held first, checked second: if the check passes, the pidfd is of
     * the process that was checked, whatever happens to the pid after */
    if ((pidfd = syscall(SYS_pidfd_open, pid, 0)) < 0)
        return;
    orphan = g_new0(qemuOrphan, 1);
    orphan->pidfd = pidfd;
    if (!qemuOrphanIsProcess(pid, binary, arg, value))
        return;
    orphan->pid = pid;
    orphan->isQEMU = isQEMU;
    orphan->what = g_strdup(what);
    orphan->pidFile = g_strdup(pidFile);
    g_ptr_array_add(orphans, g_steal_pointer(&orphan));
}


/* The domain its supervisor saved in @stateDir. */
static pfsDomainDef *
qemuOrphanLoadDomain(const char *stateDir)
{
    g_autofree char *path = g_build_filename(stateDir, "domain.xml", NULL);
    g_autoptr(pfsDomainDef) def = NULL;

    if (!(def = pfsDomainDefParseFile(path)) || qemuDomainPrepare(def) < 0)
        return NULL;
    return g_steal_pointer(&def);
}


/* Whether a pid file of @stateDir names a live process. */
static bool
qemuOrphanAnyAlive(const char *stateDir)
{
    g_autoptr(GDir) dir = g_dir_open(stateDir, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name(dir))) {
        g_autofree char *path = g_build_filename(stateDir, name, NULL);

        if (!g_str_has_suffix(name, ".pid") ||
            strcmp(name, QEMU_PROCESS_SUPERVISOR_PID_FILE) == 0)
            continue;
        if (qemuOrphanReadPid(path, true, NULL) > 0)
            return true;
    }
    return false;
}


int
qemuOrphanFind(const qemuDriverConfig *cfg, const char *name, GPtrArray **orphans)
{
    g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func((GDestroyNotify)qemuOrphanFree);
    g_autofree char *stateDir = qemuProcessStateDir(cfg, name);
    g_autofree char *domainXML = g_build_filename(stateDir, "domain.xml", NULL);
    g_autoptr(pfsDomainDef) def = NULL;
    size_t i;

    if (!g_file_test(domainXML, G_FILE_TEST_EXISTS)) {
        /* an older supervisor's, or one that died before saving it:
         * nothing to check a live pid against, so nothing may be removed */
        if (qemuOrphanAnyAlive(stateDir)) {
            pfsReportError(_("the state directory '%s' of domain '%s' names processes that still run, and cannot tell whether they are its QEMU and helpers; stop them, then remove the directory"),
                           stateDir, name);
            return -1;
        }
        *orphans = g_steal_pointer(&found);
        return 0;
    }
    if (!(def = qemuOrphanLoadDomain(stateDir))) {
        g_autofree char *msg = g_strdup(pfsErrorLastMessage());

        pfsReportError(_("cannot read the domain saved in '%s': %s"), domainXML, msg);
        return -1;
    }

    {
        g_autofree char *pidFile = g_build_filename(stateDir, "qemu.pid", NULL);
        g_autofree char *guest = g_strdup_printf("guest=%s,debug-threads=on", def->name);

        qemuOrphanCheck(found, pidFile, "QEMU", true,
                        def->emulator ? def->emulator : cfg->emulator, "-name", guest);
    }
    for (i = 0; i < def->nfss; i++) {
        const pfsDomainFSDef *fs = def->fss[i];
        g_autofree char *pidFile = NULL;
        g_autofree char *what = NULL;

        if (fs->fsdriver != PFS_DOMAIN_FS_DRIVER_TYPE_PROXY)
            continue;
        pidFile = g_strdup_printf("%s/%s.pid", stateDir, fs->info.alias);
        what = g_strdup_printf(_("the proxy helper of filesystem '%s'"), fs->info.alias);
        qemuOrphanCheck(found, pidFile, what, false,
                        fs->binary ? fs->binary : cfg->helper, "--path", fs->src);
    }
    *orphans = g_steal_pointer(&found);
    return 0;
}


char *
qemuOrphanDescribe(GPtrArray *orphans)
{
    g_autoptr(GString) str = g_string_new(NULL);
    guint i;

    for (i = 0; i < orphans->len; i++) {
        const qemuOrphan *orphan = orphans->pdata[i];

        if (i > 0)
            g_string_append(str, ", ");
        g_string_append_printf(str, _("%s (pid %d)"), orphan->what, (int)orphan->pid);
    }
    return g_string_free(g_steal_pointer(&str), FALSE);
}


/* Wait up to @ms for @orphan to end. */
static bool
qemuOrphanWaitEnd(const qemuOrphan *orphan, int ms)
{
    struct pollfd pfd = { .fd = orphan->pidfd, .events = POLLIN };
    gint64 deadline = g_get_monotonic_time() + (gint64)ms * 1000;

    for (;;) {
        gint64 left = (deadline - g_get_monotonic_time() + 999) / 1000;
        int r = poll(&pfd, 1, left > 0 ? (int)MIN(left, G_MAXINT) : 0);

        if (r > 0)
            return true;
        if ((r < 0 && errno != EINTR) || left <= 0)
            return false;
    }
}


/* SIGTERM, @graceMs, SIGKILL, through the pidfd. */
static int
qemuOrphanTerminate(const qemuOrphan *orphan, int graceMs)
{
    if (qemuOrphanWaitEnd(orphan, 0))
        return 0;
    if (syscall(SYS_pidfd_send_signal, orphan->pidfd, SIGTERM, NULL, 0) < 0 && errno != ESRCH) {
        pfsReportSystemError(errno, _("cannot signal %s (pid %d)"), orphan->what, (int)orphan->pid);
        return -1;
    }
    if (qemuOrphanWaitEnd(orphan, graceMs))
        return 0;
    PFS_WARN(_("%s (pid %d) did not end on SIGTERM; killing it"), orphan->what, (int)orphan->pid);
    if (syscall(SYS_pidfd_send_signal, orphan->pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH) {
        pfsReportSystemError(errno, _("cannot signal %s (pid %d)"), orphan->what, (int)orphan->pid);
        return -1;
    }
    if (!qemuOrphanWaitEnd(orphan, graceMs)) {
        pfsReportError(_("%s (pid %d) does not end"), orphan->what, (int)orphan->pid);
        return -1;
    }
    return 0;
}


/* Ask the guest to power off through QEMU's monitor (free again since
 * the supervisor's connection closed) and wait up to @timeoutSec. */
static void
qemuOrphanPowerdown(const char *stateDir, const qemuOrphan *qemu, unsigned int timeoutSec)
{
    g_autofree char *path = g_build_filename(stateDir, "monitor.sock", NULL);
    g_autoptr(qemuMonitor) mon = NULL;

    if (!(mon = qemuMonitorOpen(path, qemu->pid, 5000)) ||
        qemuMonitorCommand(mon, "system_powerdown") < 0) {
        PFS_WARN(_("cannot ask the guest to power off: %s"), pfsErrorLastMessage());
        return;
    }
    /* nobody applies <on_poweroff> now: QEMU quits when the guest is off */
    if (!qemuOrphanWaitEnd(qemu, (int)MIN(timeoutSec * 1000u, (unsigned int)G_MAXINT)))
        PFS_WARN(_("the guest did not power off within %u seconds; stopping QEMU"), timeoutSec);
}


/* Remove what a run leaves in @stateDir, and the directory. */
static int
qemuOrphanRemoveState(const char *stateDir)
{
    g_autoptr(GDir) dir = NULL;
    const char *name;
    PFS_AUTOCLOSE fd = -1;

    /* removed by name: only in a directory nobody else writes to */
    if ((fd = pfsDirOpenPrivate(stateDir)) < 0)
        return -1;
    dir = g_dir_open(stateDir, 0, NULL);
    while (dir && (name = g_dir_read_name(dir))) {
        if (unlinkat(fd, name, 0) < 0 && errno != ENOENT) {
            pfsReportSystemError(errno, _("cannot remove '%s/%s'"), stateDir, name);
            return -1;
        }
    }
    if (rmdir(stateDir) < 0 && errno != ENOENT) {
        pfsReportSystemError(errno, _("cannot remove '%s'"), stateDir);
        return -1;
    }
    return 0;
}


int
qemuOrphanStop(const qemuDriverConfig *cfg, const char *name, unsigned int timeoutSec,
               char **stopped)
{
    g_autofree char *stateDir = qemuProcessStateDir(cfg, name);
    g_autoptr(GPtrArray) orphans = NULL;
    guint i;

    if (qemuOrphanFind(cfg, name, &orphans) < 0)
        return -1;
    *stopped = qemuOrphanDescribe(orphans);
    /* QEMU first: each helper then sees the end of its connection */
    for (i = 0; i < orphans->len; i++) {
        const qemuOrphan *orphan = orphans->pdata[i];

        if (!orphan->isQEMU)
            continue;
        qemuOrphanPowerdown(stateDir, orphan, timeoutSec);
        if (qemuOrphanTerminate(orphan, QEMU_ORPHAN_TERM_GRACE_MS) < 0)
            return -1;
    }
    for (i = 0; i < orphans->len; i++) {
        const qemuOrphan *orphan = orphans->pdata[i];

        if (orphan->isQEMU)
            continue;
        if (!qemuOrphanWaitEnd(orphan, QEMU_ORPHAN_HELPER_GRACE_MS) &&
            qemuOrphanTerminate(orphan, QEMU_ORPHAN_TERM_GRACE_MS) < 0)
            return -1;
    }
    if (qemuOrphanRemoveState(stateDir) < 0)
        return -1;
    return (int)orphans->len;
}
