/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_proxyfs.c: starting and stopping the proxy helper of a filesystem
 *
 * The helper is exec'ed as root, but root bounded to the capabilities
 * its start-up needs (namespaces and pivot_root, the switch to its own
 * user, securebits) and the ones it keeps to serve; it then confines
 * itself and drops all but the latter. A separate pipe (--ready-fd)
 * tells us whether it serves, or why it could not start, before QEMU is
 * started with the other end of the socketpair.
 */
#include "pfsinternal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pfscaps.h"
#include "pfserror.h"
#include "pfsfile.h"
#include "pfspidfile.h"
#include "pfsready.h"
#include "pfsspawn.h"
#include "qemu_proxyfs.h"


static void
qemuProxyfsHelperFree(qemuProxyfsHelper *helper)
{
    if (!helper)
        return;
    pfsForceClose(&helper->qemuFD);
    g_free(helper->alias);
    g_free(helper->pidFile);
    g_free(helper->logFile);
    g_free(helper);
}


/* Wait for the helper's report on @fd (pfsready.h). Returns 0 when it
 * serves, -1 with an error. */
static int
qemuProxyfsWaitReady(qemuProxyfsHelper *helper, int fd, const char *target,
                     unsigned int timeoutSec)
{
    g_autofree char *reason = NULL;
    g_autofree char *how = NULL;
    int status;
    int r;

    if ((r = pfsReadyWait(fd, (int)MIN(timeoutSec * 1000ULL, G_MAXINT), &reason)) < 0)
        return -1;
    switch ((pfsReadyResult)r) {
    case PFS_READY_OK:
        return 0;
    case PFS_READY_FAILED:
        pfsReportError(_("the proxy helper of filesystem '%s' could not start: %s"),
                       target, reason);
        return -1;
    case PFS_READY_TIMEOUT:
        pfsReportError(_("the proxy helper of filesystem '%s' did not start within %u seconds; see %s"),
                       target, timeoutSec, helper->logFile);
        return -1;
    case PFS_READY_NO_REPORT:
        if (pfsSpawnWait(helper->pid, 1000, &status) == 1) {
            helper->pid = 0;
            how = pfsSpawnDescribeStatus(status);
        } else {
            how = g_strdup(_("closed its report without one"));
        }
        pfsReportError(_("the proxy helper of filesystem '%s' %s before it was ready; see %s"),
                       target, how, helper->logFile);
        return -1;
    case PFS_READY_LAST:
    default:
        break;
    }
    return -1;
}


/* How a helper is to serve: one end of a socketpair, or a named socket
 * that QEMU connects to. */
typedef struct {
    const char *binary;
    const char *src;
    const char *target;         /* for messages */
    bool readonly;
    int *fd;                    /* --fd, closed once the helper has it */
    const char *socketPath;     /* --socket, when fd is NULL */
    uid_t socketUid;
    gid_t socketGid;
} qemuProxyfsLaunch;


/* Execute the helper for @helper (pid and log files set) and wait for
 * its report. Returns 0 when it serves, -1 with an error; the caller
 * then stops @helper. */
static int
qemuProxyfsLaunchHelper(const qemuDriverConfig *cfg,
                        qemuProxyfsHelper *helper,
                        const qemuProxyfsLaunch *launch)
{
    g_autoptr(pfsCmdline) cmd = NULL;
    pfsSpawnAttrs attrs = PFS_SPAWN_ATTRS_INIT;
    PFS_AUTOCLOSE readyRead = -1;
    PFS_AUTOCLOSE readyWrite = -1;
    PFS_AUTOCLOSE logFD = -1;
    int ready[2];

    if (pipe2(ready, O_CLOEXEC) < 0) {
        pfsReportSystemError(errno, "%s", _("cannot create a pipe"));
        return -1;
    }
    readyRead = ready[0];
    readyWrite = ready[1];
    /* in a directory only root can write to (the driver's or the hook's
     * log directory, both checked); no symlink either way */
    if ((logFD = open(helper->logFile, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC,
                      0600)) < 0) {
        pfsReportSystemError(errno, _("cannot open log file '%s'"), helper->logFile);
        return -1;
    }

    cmd = pfsCmdlineNew(launch->binary);
    pfsCmdlineAddEnvPair(cmd, "LC_ALL", "C");
    pfsCmdlineAddEnvPair(cmd, "PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    pfsCmdlineAddArgList(cmd, "--nodaemon", "--path", launch->src, NULL);
    if (launch->fd) {
        pfsCmdlineAddArg(cmd, "--fd");
        pfsCmdlineAddArgFormat(cmd, "%d", *launch->fd);
        pfsCmdlinePassFD(cmd, *launch->fd);
    } else {
        pfsCmdlineAddArgList(cmd, "--socket", launch->socketPath, NULL);
        pfsCmdlineAddArg(cmd, "--uid");
        pfsCmdlineAddArgFormat(cmd, "%u", (unsigned int)launch->socketUid);
        pfsCmdlineAddArg(cmd, "--gid");
        pfsCmdlineAddArgFormat(cmd, "%u", (unsigned int)launch->socketGid);
    }
    pfsCmdlineAddArg(cmd, "--ready-fd");
    pfsCmdlineAddArgFormat(cmd, "%d", readyWrite);
    pfsCmdlineAddArgList(cmd, "--user", cfg->helperUser,
                         "--group", cfg->helperGroup, NULL);
    if (launch->readonly)
        pfsCmdlineAddArg(cmd, "--readonly");
    if (cfg->helperBusyPoll > 0)
        pfsCmdlineAddArgFormat(cmd, "--busy-poll=%u", cfg->helperBusyPoll);
    pfsCmdlinePassFD(cmd, readyWrite);

    attrs.setCaps = true;
    attrs.caps = pfsCapsHelperStartMask(false);
    attrs.outputFD = logFD;
    attrs.pidFile = helper->pidFile;
    attrs.newSession = true;

    if (pfsSpawn(cmd, &attrs, &helper->pid) < 0)
        return -1;
    /* only the helper may hold these now: its end of the connection, and
     * the write end of the report, whose EOF says that it died */
    if (launch->fd)
        pfsForceClose(launch->fd);
    pfsForceClose(&readyWrite);

    return qemuProxyfsWaitReady(helper, readyRead, launch->target,
                                cfg->helperStartTimeout);
}


/* A new helper for @alias, holding QEMU's end @qemuFD (or -1), @pidFile
 * and @logFile (taken over), launched as @launch says. Returns 0 when it
 * serves, -1 with an error and nothing left running. */
static int
qemuProxyfsStartHelper(const qemuDriverConfig *cfg,
                       const char *alias,
                       int qemuFD,
                       char *pidFile,
                       char *logFile,
                       const qemuProxyfsLaunch *launch,
                       qemuProxyfsHelper **helperRet)
{
    qemuProxyfsHelper *helper = g_new0(qemuProxyfsHelper, 1);

    helper->qemuFD = qemuFD;
    helper->alias = g_strdup(alias);
    helper->pidFile = pidFile;
    helper->logFile = logFile;
    if (qemuProxyfsLaunchHelper(cfg, helper, launch) < 0) {
        /* SIGTERM: a helper waiting for its client removes its socket */
        qemuProxyfsStop(helper, 0, NULL);
        return -1;
    }
    *helperRet = helper;
    return 0;
}


int
qemuProxyfsStart(const qemuDriverConfig *cfg,
                 const pfsDomainDef *def,
                 const pfsDomainFSDef *fs,
                 const char *stateDir,
                 qemuProxyfsHelper **helperRet)
{
    PFS_AUTOCLOSE helperFD = -1;
    qemuProxyfsLaunch launch = {
        .binary = fs->binary ? fs->binary : cfg->helper,
        .src = fs->src,
        .target = fs->dst,
        .readonly = fs->readonly,
        .fd = &helperFD,
    };
    int sv[2];

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        pfsReportSystemError(errno, "%s", _("cannot create a socketpair"));
        return -1;
    }
    helperFD = sv[1];
    return qemuProxyfsStartHelper(cfg, fs->info.alias, sv[0],
                                  g_strdup_printf("%s/%s.pid", stateDir, fs->info.alias),
                                  g_strdup_printf("%s/%s-%s.log", cfg->logDir, def->name,
                                                  fs->info.alias),
                                  &launch, helperRet);
}


int
qemuProxyfsStartSocket(const qemuDriverConfig *cfg,
                       const qemuProxyfsSocketShare *share,
                       const char *pidFile,
                       const char *logFile,
                       qemuProxyfsHelper **helperRet)
{
    qemuProxyfsLaunch launch = {
        .binary = cfg->helper,
        .src = share->source,
        .target = share->target,
        .readonly = share->readonly,
        .socketPath = share->socketPath,
        .socketUid = share->uid,
        .socketGid = share->gid,
    };

    return qemuProxyfsStartHelper(cfg, share->alias, -1, g_strdup(pidFile),
                                  g_strdup(logFile), &launch, helperRet);
}


void
qemuProxyfsForget(qemuProxyfsHelper *helper)
{
    qemuProxyfsHelperFree(helper);
}


void
qemuProxyfsHandedOver(qemuProxyfsHelper *helper)
{
    pfsForceClose(&helper->qemuFD);
}


void
qemuProxyfsStop(qemuProxyfsHelper *helper, int graceMs, int *status)
{
    int st = 0;

    if (!helper)
        return;
    /* our end goes first: if QEMU never got it, this is the helper's EOF */
    pfsForceClose(&helper->qemuFD);
    if (helper->pid > 0) {
        if (pfsSpawnWait(helper->pid, graceMs, &st) != 1)
            pfsSpawnTerminate(helper->pid, 2000, &st);
        helper->pid = 0;
    }
    if (status)
        *status = st;
    /* a stale pid file names a process that is gone */
    pfsPidFileDelete(helper->pidFile);
    qemuProxyfsHelperFree(helper);
}
