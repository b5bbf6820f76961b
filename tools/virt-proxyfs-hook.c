/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * virt-proxyfs-hook.c: libvirt's QEMU hook for proxy shares
 *
 * A stock libvirtd cannot start a proxy helper nor hand QEMU one end of
 * a socketpair. 'virt-proxyfs define' therefore moves each proxy
 * <filesystem> into the domain's <metadata> (one pfs:share each) and
 * gives QEMU '-fsdev proxy,socket=PATH' through <qemu:commandline>.
 * libvirtd runs this program, installed as hooks/qemu.d/virt-proxyfs,
 * as root with NAME OPERATION SUBOPERATION EXTRA and the domain XML on
 * stdin:
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
 * Per domain, QEMU_LIBVIRT_RUN_DIR/NAME (root's, 0710, group QEMU's
 * group: QEMU may reach the sockets in it, and nothing more) holds
 * ALIAS.sock and ALIAS.pid; the helpers' output goes to
 * QEMU_LIBVIRT_LOG_DIR/NAME-ALIAS.log. Nobody but root can write to any
 * directory the hook works in, so nothing it does there by name can be
 * redirected by QEMU's user.
 */
#include "pfsinternal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <libxml/xpathInternals.h>

#include "pfserror.h"
#include "pfsfile.h"
#include "pfslog.h"
#include "pfsxml.h"
#include "qemu_conf.h"
#include "qemu_proxyfs.h"

/* the namespace of <metadata> that 'virt-proxyfs define' writes */
#define PFS_HOOK_XMLNS "https://virt-proxyfs.org/xmlns/libvirt/1"
#define PFS_HOOK_HELPER_NAME "virt-proxyfs-helper"

/* what a stop allows a helper before SIGKILL, and after it */
#define PFS_HOOK_TERM_GRACE_MS 3000
#define PFS_HOOK_KILL_GRACE_MS 2000

/* a domain XML is far smaller; this only bounds a runaway writer */
#define PFS_HOOK_MAX_XML (16 * 1024 * 1024)

typedef struct _pfsHookShare pfsHookShare;
struct _pfsHookShare {
    char *alias;
    char *source;
    char *target;
    char *socket;
    bool readonly;
};


static void
pfsHookShareFree(pfsHookShare *share)
{
    if (!share)
        return;
    g_free(share->alias);
    g_free(share->source);
    g_free(share->target);
    g_free(share->socket);
    g_free(share);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(pfsHookShare, pfsHookShareFree);


/* libvirt shows our stderr as the error of the start: one line. */
static void
pfsHookPrintError(const char *name)
{
    const char *msg = pfsErrorLastMessage();
    g_autofree char *line = g_strdup(msg ? msg : _("unknown error"));

    g_strdelimit(line, "\r\n", ' ');
    fprintf(stderr, _("virt-proxyfs: domain '%s': %s\n"), name, line);
}


/* The name becomes a directory and part of file names. libvirt never
 * allows '/' in it; the rest is checked for the paths' sake. */
static int
pfsHookCheckName(const char *name)
{
    if (!*name || strchr(name, '/') || strcmp(name, ".") == 0 ||
        strcmp(name, "..") == 0) {
        pfsReportError(_("the domain name cannot be used in a path"));
        return -1;
    }
    return 0;
}


/* An alias as libvirt allows them ([A-Za-z0-9_-]): it names files. */
static bool
pfsHookAliasValid(const char *alias)
{
    const char *p;

    if (!*alias)
        return false;
    for (p = alias; *p; p++) {
        if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-')
            return false;
    }
    return true;
}


static char *
pfsHookDomainDir(const char *name)
{
    return g_strdup_printf("%s/%s", QEMU_LIBVIRT_RUN_DIR, name);
}


static char *
pfsHookReadStdin(void)
{
    g_autoptr(GString) buf = g_string_new(NULL);
    char chunk[65536];

    for (;;) {
        ssize_t n = read(STDIN_FILENO, chunk, sizeof(chunk));

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            pfsReportSystemError(errno, "%s", _("cannot read the domain XML from standard input"));
            return NULL;
        }
        if (n == 0)
            break;
        if (buf->len + n > PFS_HOOK_MAX_XML) {
            pfsReportError(_("the domain XML on standard input is larger than %d bytes"),
                           PFS_HOOK_MAX_XML);
            return NULL;
        }
        g_string_append_len(buf, chunk, n);
    }
    return g_string_free(g_steal_pointer(&buf), FALSE);
}


static int
pfsHookShareParse(xmlNode *node, const char *dir, GPtrArray *shares)
{
    g_autoptr(pfsHookShare) share = g_new0(pfsHookShare, 1);
    g_autofree char *readonly = NULL;
    g_autofree char *want = NULL;
    size_t i;

    share->alias = pfsXMLPropString(node, "alias");
    share->source = pfsXMLPropString(node, "source");
    share->target = pfsXMLPropString(node, "target");
    share->socket = pfsXMLPropString(node, "socket");
    readonly = pfsXMLPropString(node, "readonly");

    if (!share->alias || !pfsHookAliasValid(share->alias)) {
        pfsReportError(_("a proxy share in the metadata has no valid alias: run 'virt-proxyfs define' again"));
        return -1;
    }
    if (!share->target || !*share->target) {
        pfsReportError(_("proxy share '%s' has no target in the metadata"), share->alias);
        return -1;
    }
    if (!share->source || !g_path_is_absolute(share->source)) {
        pfsReportError(_("proxy share '%s' (target '%s') has no absolute source directory in the metadata"),
                       share->alias, share->target);
        return -1;
    }
    if (g_strcmp0(readonly, "yes") == 0) {
        share->readonly = true;
    } else if (g_strcmp0(readonly, "no") != 0) {
        pfsReportError(_("proxy share '%s' (target '%s'): readonly must be 'yes' or 'no'"),
                       share->alias, share->target);
        return -1;
    }
    /* We create, chown and later remove this directory as root: only the
     * place 'virt-proxyfs define' chose is accepted, never one the XML
     * could point anywhere. */
    want = g_strdup_printf("%s/%s.sock", dir, share->alias);
    if (g_strcmp0(share->socket, want) != 0) {
        pfsReportError(_("proxy share '%s' (target '%s'): the socket must be '%s', not '%s'; run 'virt-proxyfs define' again"),
                       share->alias, share->target, want, PFS_NULLSTR(share->socket));
        return -1;
    }
    for (i = 0; i < shares->len; i++) {
        const pfsHookShare *other = g_ptr_array_index(shares, i);

        if (strcmp(other->alias, share->alias) == 0) {
            pfsReportError(_("two proxy shares have the alias '%s'"), share->alias);
            return -1;
        }
    }
    g_ptr_array_add(shares, g_steal_pointer(&share));
    return 0;
}


/* The pfs:share elements of the domain, whatever prefix libvirt gave
 * the namespace. */
static GPtrArray *
pfsHookParseShares(xmlXPathContext *ctxt, const char *dir)
{
    g_autoptr(GPtrArray) shares = g_ptr_array_new_with_free_func((GDestroyNotify)pfsHookShareFree);
    g_autofree xmlNode **nodes = NULL;
    int n;
    int i;

    if (xmlXPathRegisterNs(ctxt, BAD_CAST "pfs", BAD_CAST PFS_HOOK_XMLNS) < 0) {
        pfsReportError("%s", _("cannot register the XML namespace"));
        return NULL;
    }
    if ((n = pfsXPathNodeSet("/domain/metadata/pfs:proxyfs/pfs:share", ctxt, &nodes)) < 0)
        return NULL;
    for (i = 0; i < n; i++) {
        if (pfsHookShareParse(nodes[i], dir, shares) < 0)
            return NULL;
    }
    return g_steal_pointer(&shares);
}


/* The user and group libvirt runs the domain's QEMU as: those of a
 * static DAC label, <seclabel type='static' model='dac'><label>U:G, else
 * the configured ones. The socket is theirs, and only their uid is
 * served. */
static int
pfsHookQemuIds(xmlXPathContext *ctxt, const qemuDriverConfig *cfg,
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
    if (qemuLibvirtIdLookup(parts[0], true, what, &u) < 0 ||
        qemuLibvirtIdLookup(parts[1], false, what, &g) < 0)
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


/* Remove @name in @parentfd and whatever it holds, without following
 * symlinks: a domain's directory made by an older version of the hook
 * belongs to QEMU's user, who could have put anything there. A missing
 * @name is fine. */
static int
pfsHookRemoveTree(int parentfd, const char *name, const char *path)
{
    PFS_AUTOCLOSE fd = -1;
    DIR *d;
    struct dirent *ent;
    int ret = 0;

    if (unlinkat(parentfd, name, 0) == 0 || errno == ENOENT)
        return 0;
    if (errno != EISDIR && errno != EPERM) {
        pfsReportSystemError(errno, _("cannot remove '%s'"), path);
        return -1;
    }
    if ((fd = openat(parentfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        pfsReportSystemError(errno, _("cannot open directory '%s'"), path);
        return -1;
    }
    if (!(d = fdopendir(fd))) {
        pfsReportSystemError(errno, _("cannot open directory '%s'"), path);
        return -1;
    }
    fd = -1;    /* the DIR owns it now */
    while ((ent = readdir(d))) {
        g_autofree char *sub = NULL;

        if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
            continue;
        sub = g_strdup_printf("%s/%s", path, ent->d_name);
        if (pfsHookRemoveTree(dirfd(d), ent->d_name, sub) < 0)
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
pfsHookRemoveDomainDir(const char *name)
{
    g_autofree char *dir = pfsHookDomainDir(name);
    PFS_AUTOCLOSE runfd = -1;

    if ((runfd = open(QEMU_LIBVIRT_RUN_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        if (errno == ENOENT)
            return 0;
        pfsReportSystemError(errno, _("cannot open directory '%s'"), QEMU_LIBVIRT_RUN_DIR);
        return -1;
    }
    return pfsHookRemoveTree(runfd, name, dir);
}


/* Whether @pid is the helper that serves @socketPath: its program is
 * virt-proxyfs-helper and its arguments say "--socket @socketPath". A pid
 * file is only a claim (an older hook's directory belonged to QEMU's
 * user, and a pid may have been recycled): it must never get us to
 * signal another process. */
static bool
pfsHookIsHelper(pid_t pid, const char *socketPath)
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
    if (strcmp(base, PFS_HOOK_HELPER_NAME) != 0)
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
pfsHookWaitEnd(int pidfd, int ms)
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
pfsHookStopHelper(int dirfd, const char *dir, const char *pidName)
{
    g_autofree char *alias = g_strndup(pidName, strlen(pidName) - strlen(".pid"));
    g_autofree char *socketPath = g_strdup_printf("%s/%s.sock", dir, alias);
    PFS_AUTOCLOSE fd = -1;
    PFS_AUTOCLOSE pidfd = -1;
    char buf[32];
    ssize_t n;
    guint64 num;

    if ((fd = openat(dirfd, pidName, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        if (errno == ENOENT)
            return 0;
        pfsReportSystemError(errno, _("cannot open pid file '%s/%s'"), dir, pidName);
        return -1;
    }
    if ((n = pfsSafeRead(fd, buf, sizeof(buf) - 1)) < 0) {
        pfsReportSystemError(errno, _("cannot read pid file '%s/%s'"), dir, pidName);
        return -1;
    }
    buf[n] = '\0';
    g_strstrip(buf);
    if (!g_ascii_string_to_unsigned(buf, 10, 2, G_MAXINT32, &num, NULL)) {
        PFS_WARN(_("ignoring pid file '%s/%s': no pid in it"), dir, pidName);
        return 0;
    }

    if ((pidfd = syscall(SYS_pidfd_open, (pid_t)num, 0)) < 0) {
        if (errno == ESRCH)
            return 0;
        pfsReportSystemError(errno, _("cannot watch process %llu"), (unsigned long long)num);
        return -1;
    }
    /* checked after pidfd_open: the pidfd then names the checked process */
    if (!pfsHookIsHelper((pid_t)num, socketPath)) {
        PFS_DEBUG("process %llu of '%s/%s' is not the helper of '%s'",
                  (unsigned long long)num, dir, pidName, socketPath);
        return 0;
    }

    if (syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0) < 0) {
        if (errno == ESRCH)
            return 0;
        pfsReportSystemError(errno, _("cannot stop the helper of share '%s' (pid %llu)"),
                             alias, (unsigned long long)num);
        return -1;
    }
    if (pfsHookWaitEnd(pidfd, PFS_HOOK_TERM_GRACE_MS))
        return 0;
    PFS_WARN(_("the helper of share '%s' (pid %llu) outlived SIGTERM; killing it"),
             alias, (unsigned long long)num);
    if (syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH) {
        pfsReportSystemError(errno, _("cannot kill the helper of share '%s' (pid %llu)"),
                             alias, (unsigned long long)num);
        return -1;
    }
    if (!pfsHookWaitEnd(pidfd, PFS_HOOK_KILL_GRACE_MS)) {
        pfsReportError(_("the helper of share '%s' (pid %llu) does not end"),
                       alias, (unsigned long long)num);
        return -1;
    }
    return 0;
}


/* Stop every helper with a pid file in the domain's directory, then
 * remove the directory. Nothing there is nothing to do. */
static int
pfsHookStopDomain(const char *name)
{
    g_autofree char *dir = pfsHookDomainDir(name);
    PFS_AUTOCLOSE fd = -1;
    DIR *d;
    struct dirent *ent;
    int ret = 0;

    if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        if (errno == ENOENT)
            return 0;
        pfsReportSystemError(errno, _("cannot open directory '%s'"), dir);
        return -1;
    }
    if (!(d = fdopendir(fd))) {
        pfsReportSystemError(errno, _("cannot open directory '%s'"), dir);
        return -1;
    }
    fd = -1;
    while ((ent = readdir(d))) {
        if (!g_str_has_suffix(ent->d_name, ".pid") || strlen(ent->d_name) <= strlen(".pid"))
            continue;
        if (pfsHookStopHelper(dirfd(d), dir, ent->d_name) < 0)
            ret = -1;
    }
    closedir(d);
    if (ret < 0)
        return -1;
    return pfsHookRemoveDomainDir(name);
}


/* @path and its missing parents as root-owned 0755 directories; @path
 * itself gets @mode. One that exists must be root's: we act in it by
 * name. */
static int
pfsHookMakeDir(const char *path, mode_t mode)
{
    PFS_AUTOCLOSE fd = -1;
    struct stat st;

    if (g_mkdir_with_parents(path, 0755) < 0) {
        pfsReportSystemError(errno, _("cannot create directory '%s'"), path);
        return -1;
    }
    if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
        fstat(fd, &st) < 0) {
        pfsReportSystemError(errno, _("cannot open directory '%s'"), path);
        return -1;
    }
    if (st.st_uid != 0) {
        pfsReportError(_("directory '%s' belongs to uid %u, not to root: refusing to use it"),
                       path, (unsigned int)st.st_uid);
        return -1;
    }
    if (fchmod(fd, mode) < 0) {
        pfsReportSystemError(errno, _("cannot change the mode of '%s'"), path);
        return -1;
    }
    return 0;
}


/* The domain's directory, new, root's, 0710 with QEMU's group: QEMU can
 * reach its sockets (each 0600 and QEMU's user's), no other user can,
 * and nobody but root can create, rename or remove anything in it. QEMU
 * therefore cannot remove a socket once connected; the helper does. */
static int
pfsHookMakeDomainDir(const char *name, const char *dir, gid_t gid)
{
    PFS_AUTOCLOSE runfd = -1;
    PFS_AUTOCLOSE fd = -1;

    if ((runfd = open(QEMU_LIBVIRT_RUN_DIR, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        pfsReportSystemError(errno, _("cannot open directory '%s'"), QEMU_LIBVIRT_RUN_DIR);
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


static int
pfsHookPrepare(const char *name)
{
    g_autoptr(GPtrArray) shares = NULL;
    g_autoptr(GPtrArray) helpers = NULL;
    g_autoptr(qemuDriverConfig) cfg = NULL;
    g_autoptr(xmlXPathContext) ctxt = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autofree char *dir = pfsHookDomainDir(name);
    g_autofree char *xml = NULL;
    uid_t uid;
    gid_t gid;
    size_t i;

    if (!(xml = pfsHookReadStdin()) ||
        !(doc = pfsXMLParse(NULL, xml, "domain", &ctxt)) ||
        !(shares = pfsHookParseShares(ctxt, dir)))
        return -1;
    if (shares->len == 0)
        return 0;

    cfg = qemuDriverConfigNew();
    if (qemuDriverConfigLoadForLibvirt(cfg, NULL) < 0 ||
        pfsHookQemuIds(ctxt, cfg, &uid, &gid) < 0)
        return -1;

    /* libvirt does not prepare a domain that runs: a directory left
     * here is from a libvirtd or a host that stopped without a release */
    if (pfsHookStopDomain(name) < 0)
        return -1;
    if (pfsHookMakeDir(QEMU_LIBVIRT_RUN_DIR, 0755) < 0 ||
        pfsHookMakeDir(QEMU_LIBVIRT_LOG_DIR, 0700) < 0)
        return -1;
    if (pfsHookMakeDomainDir(name, dir, gid) < 0)
        goto error;

    helpers = g_ptr_array_new();
    for (i = 0; i < shares->len; i++) {
        const pfsHookShare *share = g_ptr_array_index(shares, i);
        g_autofree char *pidFile = g_strdup_printf("%s/%s.pid", dir, share->alias);
        g_autofree char *logFile = g_strdup_printf("%s/%s-%s.log", QEMU_LIBVIRT_LOG_DIR,
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
        pfsHookRemoveDomainDir(name);
        pfsReportError("%s", msg ? msg : _("cannot start the proxy helpers"));
    }
    return -1;
}


int
main(int argc, char **argv)
{
    const char *name;
    const char *op;
    const char *subop;
    int rc = 0;

    setlocale(LC_ALL, "");
    bindtextdomain(GETTEXT_PACKAGE, LOCALEDIR);
    bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
    textdomain(GETTEXT_PACKAGE);
    pfsLogSetup("virt-proxyfs", PFS_LOG_TO_STDERR, PFS_LOG_WARNING);
    /* the directories we create are 0755 unless said otherwise */
    umask(022);

    if (argc < 4) {
        fprintf(stderr,
                _("usage: %s NAME OPERATION SUBOPERATION [EXTRA] < DOMAIN-XML\n"
                  "libvirt runs this as its QEMU hook; see docs/libvirt-integration.rst\n"),
                argv[0]);
        return EXIT_FAILURE;
    }
    name = argv[1];
    op = argv[2];
    subop = argv[3];

    if (strcmp(op, "prepare") == 0 && strcmp(subop, "begin") == 0) {
        if (pfsHookCheckName(name) < 0 || pfsHookPrepare(name) < 0)
            rc = -1;
    } else if ((strcmp(op, "stopped") == 0 || strcmp(op, "release") == 0) &&
               strcmp(subop, "end") == 0) {
        /* the pid files say it all: the XML is not needed (libvirt
         * ignores a hook that does not read it) */
        if (pfsHookCheckName(name) < 0 || pfsHookStopDomain(name) < 0)
            rc = -1;
    }

    if (rc < 0) {
        pfsHookPrintError(name);
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}
