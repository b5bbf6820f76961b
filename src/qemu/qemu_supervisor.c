/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_supervisor.c: the process that runs a domain, and the domains
 * such processes run
 *
 * 'virt-proxyfs start' is the supervisor of its domain: QEMU's and the
 * helpers' parent, it starts them (qemu_process.c), watches them and
 * shuts the domain down when asked. Its pid in the state directory is
 * how 'stop' finds it and how another 'start' knows that the domain
 * runs; one that died leaves orphans (qemu_orphan.c).
 */
#include "pfsinternal.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pfserror.h"
#include "pfsfile.h"
#include "pfslog.h"
#include "pfsready.h"
#include "pfsspawn.h"
#include "qemu_orphan.h"
#include "qemu_process.h"
#include "qemu_supervisor.h"

/* the signal that asked the supervisor to shut its domain down */
static volatile sig_atomic_t qemuSupervisorStopSignal;
/* a supervisor started with --daemon has no terminal: it logs */
static bool qemuSupervisorDetached;


static void
qemuSupervisorStopHandler(int sig)
{
    qemuSupervisorStopSignal = sig;
}


/* What a supervisor tells its user: on the terminal, or in the journal. */
static void G_GNUC_PRINTF(1, 2)
qemuSupervisorNotice(const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (qemuSupervisorDetached) {
        PFS_INFO("%s", msg);
    } else {
        printf("%s\n", msg);
        fflush(stdout);
    }
}


/* --daemon: the command waits until the supervisor has started the
 * domain (or failed) and then only reports; the supervisor carries on
 * detached, in the same working directory (QEMU's, as without
 * --daemon). Returns 0 in the supervisor with *@report set to the fd to
 * report on, 1 in the command once the domain runs, -1 on failure
 * (reported). */
static int
qemuSupervisorDaemonize(int *report)
{
    g_autofree char *msg = NULL;
    PFS_AUTOCLOSE fd = -1;
    pid_t pid;
    int r;

    if ((pid = pfsReadyDaemonize(true, &fd)) < 0)
        return -1;
    if (pid == 0) {
        pfsLogSetup(PACKAGE, PFS_LOG_TO_SYSLOG, PFS_LOG_INFO);
        qemuSupervisorDetached = true;
        *report = g_steal_fd(&fd);
        return 0;
    }
    if ((r = pfsReadyWait(fd, -1, &msg)) == PFS_READY_OK) {
        printf("%s", msg);
        return 1;
    }
    if (r == PFS_READY_FAILED && *msg)
        pfsReportError("%s", msg);
    else
        pfsReportError("%s", _("the supervisor exited before starting the domain"));
    return -1;
}


int
qemuSupervisorRun(const qemuDriverConfig *cfg, pfsDomainDef *def, bool daemon)
{
    g_autofree char *started = NULL;
    g_autofree char *how = NULL;
    struct sigaction sa = { .sa_handler = qemuSupervisorStopHandler };
    qemuProcess *proc = NULL;
    PFS_AUTOCLOSE report = -1;
    bool helperDied;
    int status;

    if (daemon) {
        int r = qemuSupervisorDaemonize(&report);

        if (r != 0) {
            /* the launching command: the supervisor has it from here */
            pfsDomainDefFree(def);
            return r > 0 ? 0 : -1;
        }
    }
    /* no SA_RESTART: a stop request interrupts the waits */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    if (!(proc = qemuProcessStart(cfg, def))) {
        pfsReadyNotify(&report, false, pfsErrorLastMessage());
        return -1;
    }
    started = g_strdup_printf(_("Domain '%s' started: QEMU pid %d runs as user '%s', with %zu proxy helper(s); log %s"),
                              proc->def->name, (int)proc->pid, cfg->user,
                              proc->nhelpers, proc->logFile);
    qemuSupervisorNotice("%s", started);
    if (report >= 0) {
        g_autofree char *line = g_strdup_printf("%s\n", started);

        pfsReadyNotify(&report, true, line);
    }

    while (!qemuProcessPoll(proc, 200)) {
        if (qemuSupervisorStopSignal || proc->helperDied) {
            if (proc->helperDied)
                PFS_ERROR("%s", pfsErrorLastMessage());
            qemuSupervisorNotice(_("Shutting domain '%s' down (up to %u seconds)"),
                                 proc->def->name, cfg->shutdownTimeout);
            qemuProcessShutdown(proc, cfg->shutdownTimeout);
            break;
        }
    }
    status = proc->status;
    helperDied = proc->helperDied;
    how = pfsSpawnDescribeStatus(status);
    qemuSupervisorNotice(_("Domain '%s' stopped: QEMU %s"), proc->def->name, how);
    qemuProcessStop(proc);
    if (helperDied) {
        pfsReportError("%s", _("a proxy helper exited while the domain ran"));
        return -1;
    }
    return 0;
}


int
qemuSupervisorStop(const qemuDriverConfig *cfg, const char *name, char **stopped)
{
    g_autofree char *dir = qemuProcessStateDir(cfg, name);
    gint64 deadline;
    pid_t pid;
    int n;

    if ((pid = qemuOrphanSupervisorPid(cfg, name)) == 0) {
        if (geteuid() != 0 || !g_file_test(dir, G_FILE_TEST_IS_DIR)) {
            pfsReportError(_("domain '%s' is not running"), name);
            return -1;
        }
        /* its supervisor died: stop what it left running */
        if ((n = qemuOrphanStop(cfg, name, cfg->shutdownTimeout, stopped)) < 0)
            return -1;
        return n > 0 ? QEMU_SUPERVISOR_STOPPED_ORPHANS : QEMU_SUPERVISOR_STOPPED_STATE;
    }
    if (kill(pid, SIGTERM) < 0) {
        pfsReportSystemError(errno, _("cannot signal the supervisor of domain '%s'"), name);
        return -1;
    }
    /* the supervisor powers the guest off, then forces it, then cleans up */
    deadline = g_get_monotonic_time() + (gint64)(cfg->shutdownTimeout + 20) * G_USEC_PER_SEC;
    while (g_file_test(dir, G_FILE_TEST_EXISTS) && g_get_monotonic_time() < deadline)
        g_usleep(100 * 1000);
    if (g_file_test(dir, G_FILE_TEST_EXISTS)) {
        pfsReportError(_("domain '%s' did not stop in time"), name);
        return -1;
    }
    return QEMU_SUPERVISOR_STOPPED;
}


static void
qemuSupervisorDomainFree(qemuSupervisorDomain *dom)
{
    g_free(dom->name);
    g_free(dom);
}


static int
qemuSupervisorDomainCompare(gconstpointer a, gconstpointer b)
{
    const qemuSupervisorDomain *da = *(qemuSupervisorDomain *const *)a;
    const qemuSupervisorDomain *db = *(qemuSupervisorDomain *const *)b;

    return strcmp(da->name, db->name);
}


GPtrArray *
qemuSupervisorList(const qemuDriverConfig *cfg)
{
    GPtrArray *doms = g_ptr_array_new_with_free_func((GDestroyNotify)qemuSupervisorDomainFree);
    g_autoptr(GDir) dir = g_dir_open(cfg->stateDir, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name(dir))) {
        g_autoptr(GPtrArray) orphans = NULL;
        qemuSupervisorDomain dom = { .pid = qemuOrphanSupervisorPid(cfg, name) };

        if (dom.pid > 0)
            dom.state = QEMU_SUPERVISOR_DOMAIN_RUNNING;
        else if (qemuOrphanFind(cfg, name, &orphans) < 0)
            dom.state = QEMU_SUPERVISOR_DOMAIN_UNKNOWN;
        else if (orphans->len > 0)
            dom.state = QEMU_SUPERVISOR_DOMAIN_ORPHANED;
        else
            continue;
        dom.name = g_strdup(name);
        g_ptr_array_add(doms, g_memdup2(&dom, sizeof(dom)));
    }
    g_ptr_array_sort(doms, qemuSupervisorDomainCompare);
    return doms;
}
