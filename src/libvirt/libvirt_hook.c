/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvirt_hook.c: what libvirt's QEMU hook does for proxy shares
 *
 * A stock libvirtd cannot start a proxy helper nor hand QEMU one end of
 * a socketpair. 'virt-proxyfs define' therefore keeps each proxy
 * <filesystem> in the domain's <metadata> (libvirt_share.h) and gives
 * QEMU '-fsdev proxy,socket=PATH' through <qemu:commandline>. libvirtd
 * runs the hook (tools/virt-proxyfs-hook.c) as root with NAME OPERATION
 * SUBOPERATION EXTRA and the domain XML on stdin:
 *
 *   prepare begin    before anything of QEMU exists: start one helper
 *                    per share, listening on its socket, and return
 *                    only once all of them listen; otherwise stop them,
 *                    remove what was created and fail the start with
 *                    one line on stderr, which libvirt reports;
 *   stopped end,     stop the domain's helpers (they normally exit by
 *   release end      themselves when QEMU goes) and remove their
 *                    socket directory;
 *   anything else    nothing.
 *
 * Per domain, RUN_DIR/NAME (root's, 0710, group QEMU's group: QEMU may
 * reach the sockets in it, and nothing more) holds ALIAS.sock and
 * ALIAS.pid; the helpers' output goes to LOG_DIR/NAME-ALIAS.log. Nobody
 * but root can write to any directory the hook works in, so nothing it
 * does there by name can be redirected by QEMU's user.
 */
#include "pfsinternal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pfserror.h"
#include "pfsfile.h"
#include "pfslog.h"
#include "pfspidfile.h"
#include "pfsxml.h"
#include "qemu_proxyfs.h"
#include "libvirt_conf.h"
#include "libvirt_hook.h"
#include "libvirt_share.h"

#define PFS_LIBVIRT_HOOK_HELPER_NAME "virt-proxyfs-helper"

/* what a stop allows a helper before SIGKILL, and after it */
#define PFS_LIBVIRT_HOOK_TERM_GRACE_MS 3000
#define PFS_LIBVIRT_HOOK_KILL_GRACE_MS 2000

/* The name becomes a directory and part of file names. libvirt never
 * allows '/' in it; the rest is checked for the paths' sake. */
static int
pfsLibvirtHookCheckName(const char *name)
{
    if (!*name || strchr(name, '/') || strcmp(name, ".") == 0 ||
        strcmp(name, "..") == 0) {
        pfsReportError(_("the domain name cannot be used in a path"));
        return -1;
    }
    return 0;
}


static char *
pfsLibvirtHookDomainDir(const pfsLibvirtHookDirs *dirs, const char *name)
{
    return g_strdup_printf("%s/%s", dirs->runDir, name);
}


/* The user and group libvirt runs the domain's QEMU as: those of a
 * static DAC label, <seclabel type='static' model='dac'><label>U:G, else
 * the configured ones. The socket is theirs, and only their uid is
 * served. */
static int
pfsLibvirtHookQemuIds(xmlXPathContext *ctxt, const qemuDriverConfig *cfg,
               uid_t *uid, gid_t *gid)
{
    g_autofree char *label = NULL;
    g_auto(GStrv) parts = NULL;
    const char *what = _("the domain's DAC label");
    unsigned int u;
    unsigned int g;

    *uid = cfg->libvirtUid;
    *gid = cfg->libvirtGid;
    label = pfsXPathString("string(/domain/seclabel[@type='static' and @model='dac']/label)",
                           ctxt);
    if (!label)
        return 0;
    parts = g_strsplit(label, ":", 2);
    if (!parts[0] || !parts[1] || !*parts[0] || !*parts[1]) {
        pfsReportError(_("cannot parse the DAC label '%s' of the domain"), label);
        return -1;
    }
    if (pfsLibvirtIdLookup(parts[0], true, what, &u) < 0 ||
        pfsLibvirtIdLookup(parts[1], false, what, &g) < 0)
        return -1;
    if (u == 0 || g == 0) {
        pfsReportError(_("the domain's DAC label '%s' runs QEMU as root: a proxy share needs an unprivileged QEMU"),
                       label);
        return -1;
    }
    *uid = u;
    *gid = g;
    return 0;
}


/* Directory @name in @parentfd (AT_FDCWD: a path), called @path in
 * errors, opened without following a symlink. NULL with errno set and
 * an error reported, unless it is missing and @missingOK. */
static DIR *
pfsLibvirtHookOpenDir(int parentfd, const char *name, const char *path,
                      bool missingOK)
{
    PFS_AUTOCLOSE fd = -1;
    DIR *d;

    if ((fd = openat(parentfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
        !(d = fdopendir(fd))) {
        int err = errno;

        if (err != ENOENT || !missingOK)
            pfsReportSystemError(err, _("cannot open directory '%s'"), path);
        errno = err;
        return NULL;
    }
    fd = -1;    /* the DIR owns it now */
    return d;
}


/* Remove @name in @parentfd and whatever it holds, without following
 * symlinks: a domain's directory made by an older version of the hook
 * belongs to QEMU's user, who could have put anything there. A missing
 * @name is fine. */
static int
pfsLibvirtHookRemoveTree(int parentfd, const char *name, const char *path)
{
    DIR *d;
    struct dirent *ent;
    int ret = 0;

    if (unlinkat(parentfd, name, 0) == 0 || errno == ENOENT)
        return 0;
    if (errno != EISDIR && errno != EPERM) {
        pfsReportSystemError(errno, _("cannot remove '%s'"), path);
        return -1;
    }
    if (!(d = pfsLibvirtHookOpenDir(parentfd, name, path, false)))
        return -1;
    while ((ent = readdir(d))) {
        g_autofree char *sub = NULL;

        if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
            continue;
        sub = g_strdup_printf("%s/%s", path, ent->d_name);
        if (pfsLibvirtHookRemoveTree(dirfd(d), ent->d_name, sub) < 0)
            ret = -1;
    }
    closedir(d);
    if (ret < 0)
        return -1;
    if (unlinkat(parentfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT) {
        pfsReportSystemError(errno, _("cannot remove directory '%s'"), path);
        return -1;
    }
    return 0;
}


static int
pfsLibvirtHookRemoveDomainDir(const pfsLibvirtHookDirs *dirs, const char *name)
{
    g_autofree char *dir = pfsLibvirtHookDomainDir(dirs, name);
    PFS_AUTOCLOSE runfd = -1;

    if ((runfd = open(dirs->runDir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        if (errno == ENOENT)
            return 0;
        pfsReportSystemError(errno, _("cannot open directory '%s'"), dirs->runDir);
        return -1;
    }
    return pfsLibvirtHookRemoveTree(runfd, name, dir);
}


/* Whether @pid is the helper that serves @socketPath: its program is
 * virt-proxyfs-helper and its arguments say "--socket @socketPath". A pid
 * file is only a claim (an older hook's directory belonged to QEMU's
 * user, and a pid may have been recycled): it must never get us to
 * signal another process. */
static bool
pfsLibvirtHookIsHelper(pid_t pid, const char *socketPath)
{
    g_autofree char *exeLink = g_strdup_printf("/proc/%d/exe", (int)pid);
    g_autofree char *cmdPath = g_strdup_printf("/proc/%d/cmdline", (int)pid);
    g_autofree char *exe = NULL;
    g_autofree char *base = NULL;
    g_autofree char *cmdline = NULL;
    gsize len = 0;
    gsize off;
    bool prevSocket = false;

    /* a zombie, or a process that is gone, has neither */
    if (!(exe = g_file_read_link(exeLink, NULL)))
        return false;
    if (g_str_has_suffix(exe, " (deleted)"))
        exe[strlen(exe) - strlen(" (deleted)")] = '\0';
    base = g_path_get_basename(exe);
    if (strcmp(base, PFS_LIBVIRT_HOOK_HELPER_NAME) != 0)
        return false;

    if (!g_file_get_contents(cmdPath, &cmdline, &len, NULL))
        return false;
    for (off = 0; off < len; off += strlen(cmdline + off) + 1) {
        const char *arg = cmdline + off;

        if (prevSocket && strcmp(arg, socketPath) == 0)
            return true;
        prevSocket = strcmp(arg, "--socket") == 0 || strcmp(arg, "-s") == 0;
    }
    return false;
}


/* Wait up to @ms for the process of @pidfd to end. Returns true when it
 * has ended (a zombie nobody reaps counts as ended). */
static bool
pfsLibvirtHookWaitEnd(int pidfd, int ms)
{
    struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
    gint64 deadline = g_get_monotonic_time() + (gint64)ms * 1000;

    for (;;) {
        gint64 left = (deadline - g_get_monotonic_time() + 999) / 1000;
        int r;

        r = poll(&pfd, 1, left > 0 ? (int)left : 0);
        if (r > 0)
            return true;
        if (r < 0 && errno != EINTR)
            return false;
        if (left <= 0)
            return false;
    }
}


/* Stop the helper of @alias whose pid file is @pidName in @dirfd: SIGTERM
 * (a helper still waiting for QEMU then removes its socket), a grace
 * period, SIGKILL. The helper is not our child: it is watched through a
 * pidfd, which also keeps a recycled pid from being signalled. */
static int
pfsLibvirtHookStopHelper(const char *dir, const char *pidName)
{
    g_autofree char *alias = g_strndup(pidName, strlen(pidName) - strlen(".pid"));
    g_autofree char *socketPath = g_strdup_printf("%s/%s.sock", dir, alias);
    g_autofree char *pidPath = g_strdup_printf("%s/%s", dir, pidName);
    PFS_AUTOCLOSE pidfd = -1;
    pid_t pid;
    unsigned long long num;
    int r;

    /* by name: nobody but root writes to the domain's directory */
    if ((r = pfsPidFileRead(pidPath, &pid)) == 0)
        return 0;
    if (r < 0) {
        /* there is no process to stop that we could trust */
        PFS_WARN(_("%s; ignoring it"), pfsErrorLastMessage());
        pfsErrorReset();
        return 0;
    }
    num = pid;

    if ((pidfd = syscall(SYS_pidfd_open, pid, 0)) < 0) {
        if (errno == ESRCH)
            return 0;
        pfsReportSystemError(errno, _("cannot watch process %llu"), num);
        return -1;
    }
    /* checked after pidfd_open: the pidfd then names the checked process */
    if (!pfsLibvirtHookIsHelper(pid, socketPath)) {
        PFS_DEBUG("process %llu of '%s' is not the helper of '%s'",
                  num, pidPath, socketPath);
        return 0;
    }

    if (syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0) < 0) {
        if (errno == ESRCH)
            return 0;
        pfsReportSystemError(errno, _("cannot stop the helper of share '%s' (pid %llu)"),
                             alias, num);
        return -1;
    }
    if (pfsLibvirtHookWaitEnd(pidfd, PFS_LIBVIRT_HOOK_TERM_GRACE_MS))
        return 0;
    PFS_WARN(_("the helper of share '%s' (pid %llu) outlived SIGTERM; killing it"),
             alias, num);
    if (syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH) {
        pfsReportSystemError(errno, _("cannot kill the helper of share '%s' (pid %llu)"),
                             alias, num);
        return -1;
    }
    if (!pfsLibvirtHookWaitEnd(pidfd, PFS_LIBVIRT_HOOK_KILL_GRACE_MS)) {
        pfsReportError(_("the helper of share '%s' (pid %llu) does not end"),
                       alias, num);
        return -1;
    }
    return 0;
}


/* Stop every helper with a pid file in the domain's directory, then
 * remove the directory. Nothing there is nothing to do. */
static int
pfsLibvirtHookStopDomain(const pfsLibvirtHookDirs *dirs, const char *name)
{
    g_autofree char *dir = pfsLibvirtHookDomainDir(dirs, name);
    DIR *d;
    struct dirent *ent;
    int ret = 0;

    if (!(d = pfsLibvirtHookOpenDir(AT_FDCWD, dir, dir, true)))
        return errno == ENOENT ? 0 : -1;
    while ((ent = readdir(d))) {
        if (!g_str_has_suffix(ent->d_name, ".pid") || strlen(ent->d_name) <= strlen(".pid"))
            continue;
        if (pfsLibvirtHookStopHelper(dir, ent->d_name) < 0)
            ret = -1;
    }
    closedir(d);
    if (ret < 0)
        return -1;
    return pfsLibvirtHookRemoveDomainDir(dirs, name);
}


/* The domain's directory, new, root's, 0710 with QEMU's group: QEMU can
 * reach its sockets (each 0600 and QEMU's user's), no other user can,
 * and nobody but root can create, rename or remove anything in it. QEMU
 * therefore cannot remove a socket once connected; the helper does. */
static int
pfsLibvirtHookMakeDomainDir(const pfsLibvirtHookDirs *dirs, const char *name,
                            const char *dir, gid_t gid)
{
    PFS_AUTOCLOSE runfd = -1;
    PFS_AUTOCLOSE fd = -1;

    if ((runfd = open(dirs->runDir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        pfsReportSystemError(errno, _("cannot open directory '%s'"), dirs->runDir);
        return -1;
    }
    if (mkdirat(runfd, name, 0700) < 0) {
        pfsReportSystemError(errno, _("cannot create directory '%s'"), dir);
        return -1;
    }
    if ((fd = openat(runfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        pfsReportSystemError(errno, _("cannot open directory '%s'"), dir);
        return -1;
    }
    if (fchown(fd, 0, gid) < 0 || fchmod(fd, 0710) < 0) {
        pfsReportSystemError(errno, _("cannot give QEMU's group access to directory '%s'"), dir);
        return -1;
    }
    return 0;
}


int
pfsLibvirtHookPrepare(const pfsLibvirtHookDirs *dirs, const char *name,
                      const char *xml)
{
    g_autoptr(GPtrArray) shares = NULL;
    g_autoptr(GPtrArray) helpers = NULL;
    g_autoptr(qemuDriverConfig) cfg = NULL;
    g_autoptr(xmlXPathContext) ctxt = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autofree char *dir = NULL;
    uid_t uid;
    gid_t gid;
    size_t i;

    if (pfsLibvirtHookCheckName(name) < 0)
        return -1;
    dir = pfsLibvirtHookDomainDir(dirs, name);
    if (!(doc = pfsXMLParse(NULL, xml, "domain", NULL)) ||
        !(ctxt = pfsLibvirtContext(doc)) ||
        !(shares = pfsLibvirtSharesParse(ctxt, dirs->runDir, name)))
        return -1;
    if (shares->len == 0)
        return 0;

    cfg = qemuDriverConfigNew();
    if (pfsLibvirtConfigLoad(cfg, dirs->config) < 0 ||
        pfsLibvirtHookQemuIds(ctxt, cfg, &uid, &gid) < 0)
        return -1;

    /* libvirt does not prepare a domain that runs: a directory left
     * here is from a libvirtd or a host that stopped without a release */
    if (pfsLibvirtHookStopDomain(dirs, name) < 0)
        return -1;
    if (pfsDirMakePrivate(dirs->runDir, 0755) < 0 ||
        pfsDirMakePrivate(dirs->logDir, 0700) < 0)
        return -1;
    if (pfsLibvirtHookMakeDomainDir(dirs, name, dir, gid) < 0)
        goto error;

    helpers = g_ptr_array_new();
    for (i = 0; i < shares->len; i++) {
        const pfsLibvirtShare *share = g_ptr_array_index(shares, i);
        g_autofree char *pidFile = g_strdup_printf("%s/%s.pid", dir, share->alias);
        g_autofree char *logFile = g_strdup_printf("%s/%s-%s.log", dirs->logDir,
                                                   name, share->alias);
        qemuProxyfsSocketShare sock = {
            .alias = share->alias,
            .target = share->target,
            .source = share->source,
            .readonly = share->readonly,
            .socketPath = share->socket,
            .uid = uid,
            .gid = gid,
        };
        qemuProxyfsHelper *helper = NULL;

        if (qemuProxyfsStartSocket(cfg, &sock, pidFile, logFile, &helper) < 0)
            goto error;
        g_ptr_array_add(helpers, helper);
    }

    /* every socket listens: the helpers carry on without us */
    for (i = 0; i < helpers->len; i++)
        qemuProxyfsForget(g_ptr_array_index(helpers, i));
    return 0;

 error:
    {
        /* the first error is the one libvirt shows: the failed share's */
        g_autofree char *msg = g_strdup(pfsErrorLastMessage());

        for (i = 0; helpers && i < helpers->len; i++)
            qemuProxyfsStop(g_ptr_array_index(helpers, i), 0, NULL);
        pfsLibvirtHookRemoveDomainDir(dirs, name);
        pfsReportError("%s", msg ? msg : _("cannot start the proxy helpers"));
    }
    return -1;
}


int
pfsLibvirtHookStop(const pfsLibvirtHookDirs *dirs, const char *name)
{
    if (pfsLibvirtHookCheckName(name) < 0)
        return -1;
    return pfsLibvirtHookStopDomain(dirs, name);
}


pfsLibvirtHookAction
pfsLibvirtHookActionFor(const char *op, const char *subop)
{
    if (strcmp(op, "prepare") == 0 && strcmp(subop, "begin") == 0)
        return PFS_LIBVIRT_HOOK_PREPARE;
    if ((strcmp(op, "stopped") == 0 || strcmp(op, "release") == 0) &&
        strcmp(subop, "end") == 0)
        return PFS_LIBVIRT_HOOK_STOP;
    return PFS_LIBVIRT_HOOK_NOTHING;
}
