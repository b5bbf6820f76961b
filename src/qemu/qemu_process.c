/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_process.c: starting and stopping a domain's QEMU and helpers
 *
 * The order of a start: directories; every proxy helper (each one tells
 * us it serves before we go on); the monitor socket; QEMU, paused, as an
 * unprivileged user with no capabilities; our copies of QEMU's ends
 * closed (else a helper would never see QEMU go away); the monitor
 * connected; the CPUs started. Any failure unwinds all of it.
 */
#include "pfsinternal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pfserror.h"
#include "pfsfile.h"
#include "pfslog.h"
#include "pfspidfile.h"
#include "pfsspawn.h"
#include "qemu_command.h"
#include "qemu_orphan.h"
#include "qemu_process.h"

/* how long QEMU may take to answer its monitor after exec (TCG is slow
 * to start on a busy host) */
#define QEMU_PROCESS_MONITOR_TIMEOUT_MS (30 * 1000)
/* how long a helper may take to notice that QEMU is gone */
#define QEMU_PROCESS_HELPER_GRACE_MS 5000


char *
qemuProcessStateDir(const qemuDriverConfig *cfg, const char *name)
{
    return g_build_filename(cfg->stateDir, name, NULL);
}


/* A listening socket at @path for QEMU's monitor (QEMU gets the fd). */
static int
qemuProcessListenMonitor(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    PFS_AUTOCLOSE fd = -1;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        pfsReportError(_("monitor socket path '%s' is too long"), path);
        return -1;
    }
    strcpy(addr.sun_path, path);
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
        bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
        listen(fd, 1) < 0) {
        pfsReportSystemError(errno, _("cannot listen on monitor socket '%s'"), path);
        return -1;
    }
    return g_steal_fd(&fd);
}


static void
qemuProcessFree(qemuProcess *proc)
{
    size_t i;

    for (i = 0; i < proc->nhelpers; i++)
        qemuProxyfsStop(proc->helpers[i], 0, NULL);
    g_free(proc->helpers);
    qemuMonitorClose(proc->mon);
    pfsDomainDefFree(proc->def);
    g_free(proc->stateDir);
    g_free(proc->libDir);
    g_free(proc->logFile);
    g_free(proc->monitorPath);
    g_free(proc->pidFile);
    g_free(proc);
}


/* Refuse to start a domain that runs, or whose QEMU or helpers outlived
 * their supervisor; clean up after one that ended abruptly. */
static int
qemuProcessCheckNotRunning(qemuProcess *proc)
{
    g_autoptr(GPtrArray) orphans = NULL;
    pid_t pid;

    if ((pid = qemuOrphanSupervisorPid(proc->cfg, proc->def->name)) > 0 && pid != getpid()) {
        pfsReportError(_("domain '%s' is already running (supervisor pid %lld)"),
                       proc->def->name, (long long)pid);
        return -1;
    }
    if (g_file_test(proc->stateDir, G_FILE_TEST_IS_DIR)) {
        g_autoptr(GDir) dir = NULL;
        g_autofree char *list = NULL;
        const char *name;
        int fd;

        /* removed by name below: only in a directory nobody else writes to */
        if ((fd = pfsDirOpenPrivate(proc->stateDir)) < 0)
            return -1;
        close(fd);
        /* never the state of a QEMU that still runs: a second one would
         * start beside it, and nothing would know the first */
        if (qemuOrphanFind(proc->cfg, proc->def->name, &orphans) < 0)
            return -1;
        if (orphans->len > 0) {
            list = qemuOrphanDescribe(orphans);
            pfsReportError(_("domain '%s' still runs without its supervisor, which ended abruptly: %s; stop it with 'virt-proxyfs stop %s'"),
                           proc->def->name, list, proc->def->name);
            return -1;
        }
        dir = g_dir_open(proc->stateDir, 0, NULL);

        PFS_WARN(_("removing the state of domain '%s', left by a run that ended abruptly"),
                 proc->def->name);
        while (dir && (name = g_dir_read_name(dir))) {
            g_autofree char *path = g_build_filename(proc->stateDir, name, NULL);
            if (strcmp(name, QEMU_PROCESS_SUPERVISOR_PID_FILE) != 0)
                unlink(path);
        }
    }
    return 0;
}


/* The domain as started, for a later 'stop' to recognise its processes
 * should the supervisor die (qemu_orphan.c). */
static int
qemuProcessSaveDomain(qemuProcess *proc)
{
    g_autofree char *path = g_build_filename(proc->stateDir, "domain.xml", NULL);
    g_autofree char *xml = NULL;
    g_autoptr(GError) err = NULL;

    if (!proc->def->emulator)
        proc->def->emulator = g_strdup(proc->cfg->emulator);
    if (!(xml = pfsDomainDefFormat(proc->def)))
        return -1;
    /* the state directory is root's and private: a name is safe there */
    if (!g_file_set_contents_full(path, xml, -1, G_FILE_SET_CONTENTS_CONSISTENT,
                                  0600, &err)) {
        pfsReportError(_("cannot write '%s': %s"), path, err->message);
        return -1;
    }
    return 0;
}


static int
qemuProcessPrepareDirs(qemuProcess *proc)
{
    const qemuDriverConfig *cfg = proc->cfg;
    PFS_AUTOCLOSE fd = -1;

    if (pfsDirMakePrivate(cfg->stateDir, 0755) < 0 ||
        pfsDirMakePrivate(proc->stateDir, 0700) < 0 ||
        pfsDirMakePrivate(cfg->logDir, 0700) < 0 ||
        pfsDirMakePrivate(cfg->libDir, 0700) < 0)
        return -1;
    /* QEMU's HOME and XDG directories: its own (and so, from an earlier
     * run, possibly anything QEMU's user made it); given away through an
     * fd that is surely that directory */
    if ((mkdir(proc->libDir, 0700) < 0 && errno != EEXIST) ||
        (fd = open(proc->libDir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        pfsReportSystemError(errno, _("cannot create directory '%s'"), proc->libDir);
        return -1;
    }
    if (fchown(fd, cfg->uid, cfg->gid) < 0 || fchmod(fd, 0700) < 0) {
        pfsReportSystemError(errno, _("cannot give directory '%s' to the QEMU user"),
                             proc->libDir);
        return -1;
    }
    return 0;
}


/* At most this much of QEMU's log, and these many lines, in an error
 * message: the reason QEMU gives is in its last lines. */
#define QEMU_PROCESS_LOG_TAIL_BYTES 4096
#define QEMU_PROCESS_LOG_TAIL_LINES 10
/* how far back in the log to look for them */
#define QEMU_PROCESS_LOG_TAIL_WINDOW (64 * 1024)

/* The last complete lines QEMU wrote to its log after @from (the end of
 * the header the driver wrote), for an error message: whole lines only,
 * the newest first kept, at most QEMU_PROCESS_LOG_TAIL_LINES of them and
 * QEMU_PROCESS_LOG_TAIL_BYTES, though the very last line is kept whole
 * however long. "" when QEMU wrote nothing. */
static char *
qemuProcessLogTail(const char *path, off_t from)
{
    PFS_AUTOCLOSE fd = -1;
    g_autofree char *buf = NULL;
    struct stat st;
    off_t start;
    ssize_t len;
    char *begin;
    char *p;
    int lines = 0;

    if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
        fstat(fd, &st) < 0 || st.st_size <= from)
        return g_strdup("");
    start = MAX(from, st.st_size - QEMU_PROCESS_LOG_TAIL_WINDOW);
    buf = g_malloc(st.st_size - start + 1);
    if ((len = pread(fd, buf, st.st_size - start, start)) <= 0)
        return g_strdup("");
    buf[len] = '\0';
    begin = buf;
    /* a line cut by the window is not shown, unless it is the only one */
    if (start > from && (p = strchr(buf, '\n')) && p[1] != '\0')
        begin = p + 1;
    while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
        buf[--len] = '\0';

    p = buf + len;
    while (p > begin) {
        char *nl = p - 1;

        while (nl > begin && *nl != '\n')
            nl--;
        if (lines > 0 &&
            ((buf + len) - nl > QEMU_PROCESS_LOG_TAIL_BYTES ||
             lines == QEMU_PROCESS_LOG_TAIL_LINES))
            break;
        lines++;
        p = nl;
    }
    if (*p == '\n')
        p++;
    return g_strdup(p);
}


/* QEMU did not answer its monitor: say why, in QEMU's own words (the
 * monitor's error alone, "connection reset", tells nothing). */
static void
qemuProcessReportStartFailure(qemuProcess *proc)
{
    g_autofree char *monitorError = g_strdup(pfsErrorLastMessage());
    g_autofree char *tail = NULL;
    g_autofree char *how = NULL;
    int status;

    /* a QEMU that refuses its command line exits at once; give it a
     * moment so that its exit status and last words are known */
    if (pfsSpawnWait(proc->pid, 1000, &status) == 1) {
        proc->pid = 0;
        proc->status = status;
        how = pfsSpawnDescribeStatus(status);
    }
    tail = qemuProcessLogTail(proc->logFile, proc->logStart);
    if (how && *tail)
        pfsReportError(_("QEMU did not start: it %s, saying (from %s):\n%s"),
                       how, proc->logFile, tail);
    else if (how)
        pfsReportError(_("QEMU did not start: it %s without a word; see %s"),
                       how, proc->logFile);
    else if (*tail)
        pfsReportError(_("QEMU did not start: %s; its last words (from %s):\n%s"),
                       monitorError, proc->logFile, tail);
    else
        pfsReportError(_("QEMU did not start: %s; see %s"), monitorError, proc->logFile);
}


static int
qemuProcessStartHelpers(qemuProcess *proc, int *fds)
{
    pfsDomainDef *def = proc->def;
    size_t i;

    for (i = 0; i < def->nfss; i++) {
        qemuProxyfsHelper *helper;

        fds[i] = -1;
        if (def->fss[i]->fsdriver != PFS_DOMAIN_FS_DRIVER_TYPE_PROXY)
            continue;
        if (qemuProxyfsStart(proc->cfg, def, def->fss[i], proc->stateDir, &helper) < 0)
            return -1;
        proc->helpers[proc->nhelpers++] = helper;
        fds[i] = helper->qemuFD;
    }
    return 0;
}


static int
qemuProcessLaunch(qemuProcess *proc, const int *fds, int monitorFD)
{
    const qemuDriverConfig *cfg = proc->cfg;
    qemuCommandLineParams params = {
        .libDir = proc->libDir,
        .monitorFD = monitorFD,
        .fsProxyFDs = fds,
        .nfsProxyFDs = proc->def->nfss,
    };
    pfsSpawnAttrs attrs = PFS_SPAWN_ATTRS_INIT;
    g_autoptr(pfsCmdline) cmd = NULL;
    g_autofree char *line = NULL;
    g_autofree char *header = NULL;
    PFS_AUTOCLOSE logFD = -1;

    if (!proc->def->emulator)
        proc->def->emulator = g_strdup(cfg->emulator);
    if (!(cmd = qemuBuildCommandLine(proc->def, &params)))
        return -1;

    if ((logFD = open(proc->logFile, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC,
                      0600)) < 0) {
        pfsReportSystemError(errno, _("cannot open log file '%s'"), proc->logFile);
        return -1;
    }
    /* the log starts with what was run, as libvirt's does */
    line = pfsCmdlineToString(cmd, false);
    header = g_strdup_printf("%s: starting up as uid %u\n%s\n",
                             proc->def->name, (unsigned int)cfg->uid, line);
    if (pfsSafeWrite(logFD, header, strlen(header)) < 0 ||
        (proc->logStart = lseek(logFD, 0, SEEK_END)) < 0) {
        pfsReportSystemError(errno, _("cannot write log file '%s'"), proc->logFile);
        return -1;
    }

    attrs.setIds = true;
    attrs.uid = cfg->uid;
    attrs.gid = cfg->gid;
    attrs.setCaps = true;
    attrs.caps = 0;
    attrs.noNewPrivs = true;
    attrs.outputFD = logFD;
    attrs.pidFile = proc->pidFile;
    attrs.newSession = true;
    if (pfsSpawn(cmd, &attrs, &proc->pid) < 0)
        return -1;
    proc->launched = true;
    return 0;
}


qemuProcess *
qemuProcessStart(const qemuDriverConfig *cfg, pfsDomainDef *def)
{
    qemuProcess *proc = g_new0(qemuProcess, 1);
    g_autofree int *fds = g_new0(int, def->nfss + 1);
    g_autofree char *supervisorPidFile = NULL;
    PFS_AUTOCLOSE monitorFD = -1;
    size_t i;

    proc->def = def;
    proc->cfg = cfg;
    proc->stateDir = qemuProcessStateDir(cfg, def->name);
    proc->libDir = g_strdup_printf("%s/domain-%s", cfg->libDir, def->name);
    proc->logFile = g_strdup_printf("%s/%s.log", cfg->logDir, def->name);
    proc->monitorPath = g_build_filename(proc->stateDir, "monitor.sock", NULL);
    proc->pidFile = g_build_filename(proc->stateDir, "qemu.pid", NULL);
    proc->helpers = g_new0(qemuProxyfsHelper *, def->nfss + 1);

    if (qemuProcessCheckNotRunning(proc) < 0) {
        /* the state directory is not ours to clean up */
        qemuProcessFree(proc);
        return NULL;
    }
    if (qemuProcessPrepareDirs(proc) < 0 ||
        qemuProcessSaveDomain(proc) < 0 ||
        !(proc->labels = qemuSecuritySetAll(cfg, def)) ||
        qemuProcessStartHelpers(proc, fds) < 0 ||
        (monitorFD = qemuProcessListenMonitor(proc->monitorPath)) < 0 ||
        qemuProcessLaunch(proc, fds, monitorFD) < 0)
        goto error;

    /* QEMU holds them now: ours would keep the helpers from ever seeing
     * QEMU go away */
    for (i = 0; i < proc->nhelpers; i++)
        qemuProxyfsHandedOver(proc->helpers[i]);
    pfsForceClose(&monitorFD);

    if (!(proc->mon = qemuMonitorOpen(proc->monitorPath, proc->pid,
                                      QEMU_PROCESS_MONITOR_TIMEOUT_MS))) {
        qemuProcessReportStartFailure(proc);
        goto error;
    }
    if (qemuMonitorCommand(proc->mon, "cont") < 0)
        goto error;
    /* from now on the caller runs the domain: 'stop' finds it here */
    supervisorPidFile = g_build_filename(proc->stateDir, QEMU_PROCESS_SUPERVISOR_PID_FILE, NULL);
    if (pfsPidFileWrite(supervisorPidFile, getpid()) < 0)
        goto error;
    return proc;

 error:
    {
        /* keep the first error: the unwinding may report others */
        g_autofree char *msg = g_strdup(pfsErrorLastMessage());

        qemuProcessStop(proc);
        pfsReportError("%s", msg ? msg : _("cannot start the domain"));
    }
    return NULL;
}


/* After a SHUTDOWN event: what <on_poweroff> says. */
static void
qemuProcessHandleShutdown(qemuProcess *proc)
{
    switch (proc->def->onPoweroff) {
    case PFS_DOMAIN_LIFECYCLE_ACTION_PRESERVE:
        PFS_INFO(_("domain '%s' powered off; preserved"), proc->def->name);
        break;
    case PFS_DOMAIN_LIFECYCLE_ACTION_RESTART:
    case PFS_DOMAIN_LIFECYCLE_ACTION_RESTART_RENAME:
    case PFS_DOMAIN_LIFECYCLE_ACTION_COREDUMP_RESTART:
        if (qemuMonitorCommand(proc->mon, "system_reset") < 0 ||
            qemuMonitorCommand(proc->mon, "cont") < 0)
            PFS_WARN("%s", pfsErrorLastMessage());
        break;
    case PFS_DOMAIN_LIFECYCLE_ACTION_DEFAULT:
    case PFS_DOMAIN_LIFECYCLE_ACTION_DESTROY:
    case PFS_DOMAIN_LIFECYCLE_ACTION_COREDUMP_DESTROY:
    case PFS_DOMAIN_LIFECYCLE_ACTION_LAST:
    default:
        /* QEMU closes the monitor as it quits: no answer may come */
        qemuMonitorCommand(proc->mon, "quit");
        break;
    }
}


/* A helper that exits while QEMU runs leaves its share dead: the guest
 * gets I/O errors from it. Say which and how. */
static void
qemuProcessCheckHelpers(qemuProcess *proc)
{
    size_t i;

    for (i = 0; i < proc->nhelpers; i++) {
        qemuProxyfsHelper *helper = proc->helpers[i];
        g_autofree char *how = NULL;
        int status;

        if (helper->pid <= 0 || pfsSpawnWait(helper->pid, 0, &status) != 1)
            continue;
        helper->pid = 0;
        how = pfsSpawnDescribeStatus(status);
        proc->helperDied = true;
        pfsReportError(_("the proxy helper of filesystem '%s' of domain '%s' %s; see %s"),
                       helper->alias, proc->def->name, how, helper->logFile);
    }
}


int
qemuProcessPoll(qemuProcess *proc, int timeoutMs)
{
    int r;

    if (proc->pid == 0)
        return 1;
    if (proc->mon) {
        struct pollfd pfd = { .fd = qemuMonitorGetFD(proc->mon), .events = POLLIN };

        if (poll(&pfd, 1, timeoutMs) > 0) {
            bool before = qemuMonitorShutdownSeen(proc->mon);

            if (qemuMonitorReadEvents(proc->mon) < 0) {
                /* gone: QEMU exited */
                g_clear_pointer(&proc->mon, qemuMonitorClose);
            } else if (!before && qemuMonitorShutdownSeen(proc->mon)) {
                qemuProcessHandleShutdown(proc);
            }
        }
        timeoutMs = 0;
    }
    if ((r = pfsSpawnWait(proc->pid, timeoutMs, &proc->status)) == 1)
        proc->pid = 0;
    if (proc->pid != 0)
        qemuProcessCheckHelpers(proc);
    return r == 1;
}


void
qemuProcessShutdown(qemuProcess *proc, unsigned int timeoutSec)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeoutSec * G_USEC_PER_SEC;

    if (proc->pid == 0)
        return;
    if (proc->mon && qemuMonitorCommand(proc->mon, "system_powerdown") < 0)
        PFS_WARN("%s", pfsErrorLastMessage());
    while (proc->pid != 0 && g_get_monotonic_time() < deadline)
        qemuProcessPoll(proc, 200);
    if (proc->pid != 0) {
        PFS_WARN(_("domain '%s' did not power off within %u seconds; stopping QEMU"),
                 proc->def->name, timeoutSec);
        /* QEMU quits cleanly on SIGTERM, and is killed after 5 s */
        if (pfsSpawnTerminate(proc->pid, 5000, &proc->status) == 0)
            proc->pid = 0;
    }
}


void
qemuProcessStop(qemuProcess *proc)
{
    size_t i;

    if (!proc)
        return;
    g_clear_pointer(&proc->mon, qemuMonitorClose);
    if (proc->pid > 0) {
        pfsSpawnTerminate(proc->pid, 5000, &proc->status);
        proc->pid = 0;
    }
    for (i = 0; i < proc->nhelpers; i++)
        qemuProxyfsStop(proc->helpers[i], QEMU_PROCESS_HELPER_GRACE_MS, NULL);
    proc->nhelpers = 0;
    /* QEMU is gone: its files go back to their owners; those created for
     * a QEMU that never ran go */
    qemuSecurityRestoreAll(g_steal_pointer(&proc->labels), !proc->launched);

    if (proc->stateDir) {
        /* the supervisor's pid file and the saved domain go with the
         * directory */
        g_autofree char *supervisor = g_build_filename(proc->stateDir,
                                                       QEMU_PROCESS_SUPERVISOR_PID_FILE, NULL);
        g_autofree char *domainXML = g_build_filename(proc->stateDir, "domain.xml", NULL);

        unlink(proc->monitorPath);
        pfsPidFileDelete(proc->pidFile);
        pfsPidFileDelete(supervisor);
        unlink(domainXML);
        if (rmdir(proc->stateDir) < 0 && errno != ENOENT)
            PFS_WARN(_("cannot remove '%s': %s"), proc->stateDir, g_strerror(errno));
    }
    qemuProcessFree(proc);
}
