/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxyfs_socket.c: the named socket of socket mode (-s PATH -u UID -g GID)
 *
 * The helper makes the socket as root, in a directory that QEMU's user
 * may be able to write to (launchers of QEMU's helper put it anywhere).
 * Acting there by name would let that user swap the name for a symlink
 * between two of our calls and turn a chown of the socket into a chown
 * of /etc/shadow, or an unlink into the removal of another user's file.
 * So in that directory we only ever make a directory of our own and
 * rename atomically; every other call acts on an fd or inside that
 * private directory, which nobody else can write to (renaming it
 * elsewhere does not change that: we hold it by fd):
 *
 *   1. the socket's directory is opened once, and used through that fd;
 *   2. a private directory .NAME.XXXXXXXX (0700) is made in it;
 *   3. the socket is bound in there, given its owner (never following a
 *      symlink) and mode 0600, and listens;
 *   4. it is renamed to NAME with RENAME_NOREPLACE, or, over a stale
 *      socket, exchanged with it (see pfsProxySocketPlace());
 *   5. the private directory is removed.
 * Removing the socket later works backwards: NAME is moved into a new
 * private directory and removed there only if it is our socket.
 */
#include "pfsinternal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "pfserror.h"
#include "pfsfile.h"
#include "pfslog.h"
#include "proxyfs_socket.h"

/* The names inside the private directory: where the socket is bound,
 * and where NAME is moved to be removed. */
#define PFS_SOCKET_INNER "socket"
#define PFS_SOCKET_TAKEN "taken"

/* mkdirat() collisions tolerated before giving up (someone guessing) */
#define PFS_SOCKET_PRIVATE_TRIES 16


static bool
pfsProxySocketSameFile(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}


/* Whether @st is ours: the socket file we bound, still pinned. */
static bool
pfsProxySocketIsOurs(const pfsProxySocket *ps, const struct stat *st)
{
    struct stat own;

    return ps->filefd >= 0 && fstat(ps->filefd, &own) == 0 &&
        pfsProxySocketSameFile(st, &own);
}


/* Report an error, or, when removing (where the error that ends the
 * helper must stay the one reported), only log it. */
static void G_GNUC_PRINTF(3, 4)
pfsProxySocketComplain(bool report, int errnum, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (report)
        pfsReportSystemError(errnum, "%s", msg);
    else if (errnum)
        PFS_WARN("%s: %s", msg, g_strerror(errnum));
    else
        PFS_WARN("%s", msg);
}


/* Make the private directory (a new random name when @fresh, else the
 * one used before) and return an fd of it, checked to be the directory
 * we made: a user who can write next to it may have swapped the name
 * before we opened it, but cannot make a directory owned by us. Errors
 * are reported when @fresh (creating), only logged otherwise (removing). */
static int
pfsProxySocketMakePrivate(pfsProxySocket *ps, bool fresh)
{
    struct stat st;
    int fd;
    int i;

    for (i = 0;; i++) {
        if (fresh) {
            g_free(ps->privName);
            ps->privName = g_strdup_printf(".%s.%08x", ps->name, g_random_int());
        }
        if (mkdirat(ps->dirfd, ps->privName, 0700) == 0)
            break;
        if (errno != EEXIST || !fresh || i + 1 >= PFS_SOCKET_PRIVATE_TRIES) {
            pfsProxySocketComplain(fresh, errno,
                                   _("cannot create a private directory next to socket '%s'"),
                                   ps->path);
            return -1;
        }
    }
    if ((fd = openat(ps->dirfd, ps->privName, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
        fstat(fd, &st) < 0 ||
        (st.st_uid != ps->owners[0] && st.st_uid != ps->owners[1]) ||
        (st.st_mode & 077) != 0) {
        /* not ours any more: it is left where it is */
        pfsProxySocketComplain(fresh, 0,
                               _("the private directory '%s' next to socket '%s' was replaced"),
                               ps->privName, ps->path);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}


/* Empty and remove the private directory @privfd: our socket in it is
 * removed; anything else (what stood at NAME, brought in by an exchange or
 * a removal) goes back to NAME, or stays there with a warning when NAME
 * is taken again. Closes @privfd. */
static void
pfsProxySocketDropPrivate(pfsProxySocket *ps, int *privfd)
{
    static const char *const inner[] = { PFS_SOCKET_INNER, PFS_SOCKET_TAKEN };
    struct stat st;
    struct stat self;
    bool empty = true;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(inner); i++) {
        if (fstatat(*privfd, inner[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue;
        if (pfsProxySocketIsOurs(ps, &st)) {
            if (unlinkat(*privfd, inner[i], 0) < 0)
                empty = false;
        } else if (renameat2(*privfd, inner[i], ps->dirfd, ps->name, RENAME_NOREPLACE) < 0) {
            PFS_WARN(_("left what was at '%s' in '%s' next to it: it cannot go back (%s)"),
                     ps->path, ps->privName, g_strerror(errno));
            empty = false;
        }
    }
    /* by name, but only once checked to be ours: what a racing user could
     * swap in here is an empty directory of their own */
    if (empty && fstat(*privfd, &self) == 0 &&
        fstatat(ps->dirfd, ps->privName, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        pfsProxySocketSameFile(&st, &self) &&
        unlinkat(ps->dirfd, ps->privName, AT_REMOVEDIR) < 0)
        PFS_WARN(_("cannot remove the private directory '%s' next to socket '%s': %s"),
                 ps->privName, ps->path, g_strerror(errno));
    pfsForceClose(privfd);
}


/* Move what is at NAME into @privfd and remove it there if it is our
 * socket (else pfsProxySocketDropPrivate() gives it back). */
static void
pfsProxySocketTake(pfsProxySocket *ps, int privfd)
{
    struct stat st;

    if (renameat2(ps->dirfd, ps->name, privfd, PFS_SOCKET_TAKEN, RENAME_NOREPLACE) < 0) {
        /* gone already: QEMU removes the socket once connected */
        if (errno != ENOENT)
            PFS_WARN(_("cannot remove socket '%s': %s"), ps->path, g_strerror(errno));
        ps->placed = false;
        return;
    }
    ps->placed = false;
    if (fstatat(privfd, PFS_SOCKET_TAKEN, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        pfsProxySocketIsOurs(ps, &st))
        unlinkat(privfd, PFS_SOCKET_TAKEN, 0);
}


/* What stands at NAME: 0 nothing, 1 a stale socket (@stale: which), -1
 * anything else, with an error. */
static int
pfsProxySocketInspect(pfsProxySocket *ps, struct stat *stale)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    PFS_AUTOCLOSE fd = -1;
    PFS_AUTOCLOSE sock = -1;

    if ((fd = openat(ps->dirfd, ps->name, O_PATH | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        if (errno == ENOENT)
            return 0;
        pfsReportSystemError(errno, _("socket path '%s' already exists"), ps->path);
        return -1;
    }
    if (fstat(fd, stale) < 0) {
        pfsReportSystemError(errno, _("socket path '%s' already exists"), ps->path);
        return -1;
    }
    if (!S_ISSOCK(stale->st_mode)) {
        pfsReportError(_("socket path '%s' already exists and is not a socket"), ps->path);
        return -1;
    }
    /* Is anyone listening? Asked of the inode we hold, through its
     * /proc/self/fd link, so that a name swapped meanwhile cannot make us
     * connect to another socket. */
    g_snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d", fd);
    if ((sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
        pfsReportSystemError(errno, _("cannot create a Unix socket"));
        return -1;
    }
    if (connect(sock, (const struct sockaddr *)&addr, sizeof(addr)) == 0) {
        pfsReportError(_("socket path '%s' is in use by another process"), ps->path);
        return -1;
    }
    if (errno != ECONNREFUSED) {
        pfsReportSystemError(errno, _("socket path '%s' already exists"), ps->path);
        return -1;
    }
    return 1;
}


/* Move our listening socket (PFS_SOCKET_INNER in @privfd) to NAME.
 *
 * Over a stale socket we exchange the two (RENAME_EXCHANGE) rather than
 * unlink it and rename with RENAME_NOREPLACE, or rename over it: the
 * latter two destroy whatever stands at NAME at that instant, which a
 * racing user may have swapped in after our check. The exchange destroys
 * nothing: the old entry lands in our private directory, where nobody can
 * change it, and is removed only if it is the stale socket we checked;
 * otherwise the exchange is undone and we give up. */
static int
pfsProxySocketPlace(pfsProxySocket *ps, int privfd)
{
    int attempt;

    for (attempt = 0; attempt < 3; attempt++) {
        struct stat stale;
        struct stat st;
        int r;

        if ((r = pfsProxySocketInspect(ps, &stale)) < 0)
            return -1;
        if (r == 0) {
            if (renameat2(privfd, PFS_SOCKET_INNER, ps->dirfd, ps->name, RENAME_NOREPLACE) == 0) {
                ps->placed = true;
                return 0;
            }
            if (errno == EEXIST)
                continue;       /* it appeared meanwhile: look again */
            pfsReportSystemError(errno, _("cannot move socket '%s' into place"), ps->path);
            return -1;
        }

        if (renameat2(privfd, PFS_SOCKET_INNER, ps->dirfd, ps->name, RENAME_EXCHANGE) < 0) {
            if (errno == ENOENT)
                continue;       /* it went away meanwhile */
            pfsReportSystemError(errno, _("cannot move socket '%s' into place"), ps->path);
            return -1;
        }
        ps->placed = true;
        if (fstatat(privfd, PFS_SOCKET_INNER, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            pfsProxySocketSameFile(&st, &stale) &&
            unlinkat(privfd, PFS_SOCKET_INNER, 0) == 0) {
            PFS_WARN(_("replaced the stale socket '%s' (nobody was listening on it)"), ps->path);
            return 0;
        }
        /* Not what we checked: undo. Should NAME have changed yet again,
         * the caller's clean-up sorts out the private directory. */
        if (renameat2(privfd, PFS_SOCKET_INNER, ps->dirfd, ps->name, RENAME_EXCHANGE) == 0)
            ps->placed = false;
        pfsReportError(_("socket path '%s' changed while the stale socket there was replaced"),
                       ps->path);
        return -1;
    }
    pfsReportError(_("socket path '%s' keeps changing; giving up"), ps->path);
    return -1;
}


/* Bind @fd as PFS_SOCKET_INNER in @privfd: bind() only takes a path, so
 * we step into the private directory for a moment. */
static int
pfsProxySocketBind(pfsProxySocket *ps, int fd, int privfd)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX, .sun_path = PFS_SOCKET_INNER };
    PFS_AUTOCLOSE cwd = -1;
    mode_t oldmask;
    int saved;
    int r;

    if ((cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0 ||
        fchdir(privfd) < 0) {
        pfsReportSystemError(errno, _("cannot bind socket '%s'"), ps->path);
        return -1;
    }
    /* srw-------: QEMU's user (the owner given on the command line) only */
    oldmask = umask(0177);
    r = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
    saved = errno;
    umask(oldmask);
    if (fchdir(cwd) < 0 && r == 0) {
        saved = errno;
        r = -1;
    }
    if (r < 0) {
        pfsReportSystemError(saved, _("cannot bind socket '%s'"), ps->path);
        return -1;
    }
    return 0;
}


int
pfsProxySocketListen(pfsProxySocket *ps, const char *path, uid_t uid, gid_t gid)
{
    struct sockaddr_un addr;
    g_autofree char *dir = NULL;
    PFS_AUTOCLOSE fd = -1;
    PFS_AUTOCLOSE privfd = -1;
    struct stat st;
    int r;

    ps->path = g_strdup(path);
    /* QEMU connects by the whole path */
    if (strlen(path) >= sizeof(addr.sun_path)) {
        pfsReportError(_("socket path '%s' is too long (at most %zu bytes)"),
                       path, sizeof(addr.sun_path) - 1);
        return -1;
    }
    ps->name = g_path_get_basename(path);
    if (g_str_has_suffix(path, "/") || strcmp(ps->name, ".") == 0 ||
        strcmp(ps->name, "..") == 0) {
        pfsReportError(_("socket path '%s' does not name a file"), path);
        return -1;
    }
    dir = g_path_get_dirname(path);
    /* The directory itself is the launcher's choice and trusted; only
     * what happens inside it is guarded against. */
    if ((ps->dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
        pfsReportSystemError(errno, _("cannot open the socket's directory '%s'"), dir);
        return -1;
    }
    ps->owners[0] = geteuid();
    if (ps->owners[1] == 0)
        ps->owners[1] = ps->owners[0];

    if ((privfd = pfsProxySocketMakePrivate(ps, true)) < 0)
        return -1;

    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
        pfsReportSystemError(errno, _("cannot create a Unix socket"));
        goto error;
    }
    if (pfsProxySocketBind(ps, fd, privfd) < 0)
        goto error;
    if ((ps->filefd = openat(privfd, PFS_SOCKET_INNER, O_PATH | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
        fstat(ps->filefd, &st) < 0 || !S_ISSOCK(st.st_mode)) {
        pfsReportSystemError(errno, _("cannot bind socket '%s'"), path);
        goto error;
    }
    if (fchownat(privfd, PFS_SOCKET_INNER, uid, gid, AT_SYMLINK_NOFOLLOW) < 0) {
        pfsReportSystemError(errno, _("cannot change owner of socket '%s'"), path);
        goto error;
    }
    /* listening before it has a name QEMU knows: a client never finds a
     * socket that refuses it */
    if (listen(fd, 1) < 0) {
        pfsReportSystemError(errno, _("cannot listen on socket '%s'"), path);
        goto error;
    }
    if (pfsProxySocketPlace(ps, privfd) < 0)
        goto error;
    pfsProxySocketDropPrivate(ps, &privfd);
    r = fd;
    fd = -1;
    return r;

 error:
    if (ps->placed)
        pfsProxySocketTake(ps, privfd);
    pfsProxySocketDropPrivate(ps, &privfd);
    return -1;
}


void
pfsProxySocketRemove(pfsProxySocket *ps)
{
    int privfd;

    if (!ps->placed || ps->dirfd < 0)
        return;
    /* the name we used before: nothing random is needed, and a user who
     * squats it only keeps a dead socket in place, which they could
     * remove themselves */
    if ((privfd = pfsProxySocketMakePrivate(ps, false)) < 0)
        return;
    pfsProxySocketTake(ps, privfd);
    pfsProxySocketDropPrivate(ps, &privfd);
}


void
pfsProxySocketClear(pfsProxySocket *ps)
{
    pfsForceClose(&ps->dirfd);
    pfsForceClose(&ps->filefd);
    g_clear_pointer(&ps->path, g_free);
    g_clear_pointer(&ps->name, g_free);
    g_clear_pointer(&ps->privName, g_free);
    ps->placed = false;
}
