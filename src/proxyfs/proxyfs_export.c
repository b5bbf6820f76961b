/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxyfs_export.c: the exported directory and confined path resolution
 */
#include "pfsinternal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pfserror.h"
#include "pfsfile.h"
#include "pfslog.h"
#include "proxyfs_export.h"
#include "proxyfs_mounts.h"

/* Filesystems whose inodes answer FS_IOC_GETVERSION; QEMU's helper
 * enables getversion for the same set, checked on the export root. */
#define PFS_EXT_SUPER_MAGIC 0xEF53
#define PFS_BTRFS_SUPER_MAGIC 0x9123683E
#define PFS_REISERFS_SUPER_MAGIC 0x52654973
#define PFS_XFS_SUPER_MAGIC 0x58465342

/* openat2(RESOLVE_IN_ROOT) answers EAGAIN when a concurrent rename
 * might have let ".." escape; it is safe to try again. */
#define PFS_RESOLVE_RETRIES 32

static int
pfsOpenat2(int dirfd, const char *path, int flags)
{
    struct open_how how = {
        .flags = flags | O_CLOEXEC,
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
    };
    int i;

    for (i = 0; i < PFS_RESOLVE_RETRIES; i++) {
        long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
        if (fd >= 0)
            return fd;
        if (errno != EAGAIN && errno != EINTR)
            return -errno;
    }
    return -EAGAIN;
}


int
pfsProxyExportOpen(pfsProxyExport *exp, const char *path)
{
    struct statfs sfs;
    struct stat st, canonical;
    const char *pseudo;
    int fd;

    memset(exp, 0, sizeof(*exp));
    exp->rootfd = -1;
    exp->procfd = -1;

    if (path[0] != '/') {
        pfsReportError(_("export path '%s' is not absolute"), path);
        return -1;
    }

    exp->rootfd = open(path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (exp->rootfd < 0) {
        if (errno == ENOTDIR || errno == ELOOP)
            pfsReportError(_("export path '%s' is not a directory"), path);
        else
            pfsReportSystemError(errno, _("cannot open export path '%s'"), path);
        goto error;
    }

    /* Fail closed on kernels that cannot confine a lookup (before 5.6). */
    fd = pfsOpenat2(exp->rootfd, ".", O_PATH | O_DIRECTORY);
    if (fd < 0) {
        if (fd == -ENOSYS)
            pfsReportError(_("openat2() is not available: virt-proxyfs-helper needs Linux 5.6 or later to confine paths to the export"));
        else
            pfsReportSystemError(-fd, _("cannot resolve paths under '%s'"), path);
        goto error;
    }
    close(fd);

    /* Times are set on pinned O_PATH fds (AT_EMPTY_PATH, Linux 5.8);
     * omitting both changes nothing, but older kernels refuse the flag. */
    {
        const struct timespec omit[2] = { { 0, UTIME_OMIT }, { 0, UTIME_OMIT } };

        if (utimensat(exp->rootfd, "", omit, AT_EMPTY_PATH) < 0) {
            pfsReportError(_("utimensat(AT_EMPTY_PATH) is not available: virt-proxyfs-helper needs Linux 5.8 or later"));
            goto error;
        }
    }
    exp->fchmodat2 = pfsFchmodat2Available();

    /* Opened now, while /proc is still reachable, so that pinned fds can
     * be reopened and chmodded later without any path into the host. */
    exp->procfd = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (exp->procfd < 0) {
        pfsReportSystemError(errno, _("cannot open /proc/self/fd (is /proc mounted?)"));
        goto error;
    }
    if (fstatfs(exp->procfd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC) {
        pfsReportError(_("/proc/self/fd is not on a proc filesystem"));
        goto error;
    }

    if (fstatfs(exp->rootfd, &sfs) < 0) {
        pfsReportSystemError(errno, _("cannot read filesystem of '%s'"), path);
        goto error;
    }
    if ((pseudo = pfsMountsPseudoFsName(sfs.f_type, NULL))) {
        pfsReportError(_("the export '%s' is on a %s filesystem, an interface of the kernel: it cannot be shared"),
                       path, pseudo);
        goto error;
    }
    switch (sfs.f_type) {
    case PFS_EXT_SUPER_MAGIC:
    case PFS_BTRFS_SUPER_MAGIC:
    case PFS_REISERFS_SUPER_MAGIC:
    case PFS_XFS_SUPER_MAGIC:
        exp->getversion = true;
        break;
    default:
        exp->getversion = false;
        break;
    }

    if (fstat(exp->rootfd, &st) < 0) {
        pfsReportSystemError(errno, _("cannot stat export path '%s'"), path);
        goto error;
    }
    /* The sandbox mounts the export by name: use one without "..", "."
     * or symlinks, checked to lead to the directory just opened. */
    if (!(exp->path = realpath(path, NULL))) {
        pfsReportSystemError(errno, _("cannot resolve export path '%s'"), path);
        goto error;
    }
    if (stat(exp->path, &canonical) < 0 ||
        canonical.st_dev != st.st_dev || canonical.st_ino != st.st_ino) {
        pfsReportError(_("the export '%s' changed while the helper started"), path);
        goto error;
    }

    exp->euid = geteuid();
    exp->egid = getegid();
    return 0;

 error:
    pfsProxyExportClose(exp);
    return -1;
}


void
pfsProxyExportClose(pfsProxyExport *exp)
{
    pfsForceClose(&exp->rootfd);
    pfsForceClose(&exp->procfd);
    g_clear_pointer(&exp->path, free);
}


void
pfsProxyPathClear(pfsProxyPath *path)
{
    if (path->ownsFd)
        pfsForceClose(&path->fd);
    path->fd = -1;
    path->ownsFd = false;
}


/* A path made of slashes only (or nothing) is the root. */
static bool
pfsPathIsSlashes(const char *start, const char *end)
{
    for (; start < end; start++) {
        if (*start != '/')
            return false;
    }
    return true;
}


typedef struct {
    const char *parentStart;
    const char *parentEnd;   /* the parent is [parentStart, parentEnd) */
    const char *nameStart;
    size_t nameLen;
    bool trailingSlash;
    bool isRoot;
} pfsPathSplit;

static int
pfsPathSplitString(const char *path, pfsPathSplit *split)
{
    size_t len = strlen(path);
    const char *end;
    const char *slash;

    memset(split, 0, sizeof(*split));
    if (len == 0)
        return -ENOENT;

    end = path + len;
    while (end > path && end[-1] == '/')
        end--;
    if (end == path) {
        split->isRoot = true;
        return 0;
    }
    split->trailingSlash = (end != path + len);

    slash = memrchr(path, '/', end - path);
    split->nameStart = slash ? slash + 1 : path;
    split->nameLen = end - split->nameStart;
    split->parentStart = path;
    split->parentEnd = slash ? slash : path;
    return 0;
}


static bool
pfsNameIsDots(const char *name, size_t len)
{
    return (len == 1 && name[0] == '.') ||
           (len == 2 && name[0] == '.' && name[1] == '.');
}


/* Point @out at the parent directory described by @split. */
static int
pfsProxyPathOpenParent(pfsProxyExport *exp,
                       const pfsPathSplit *split,
                       pfsProxyPath *out)
{
    size_t plen = split->parentEnd - split->parentStart;
    int fd;

    if (split->nameLen > NAME_MAX)
        return -ENAMETOOLONG;
    memcpy(exp->nameBuf, split->nameStart, split->nameLen);
    exp->nameBuf[split->nameLen] = '\0';
    out->name = exp->nameBuf;

    /* The common case, a name in the root, needs no lookup at all. */
    if (pfsPathIsSlashes(split->parentStart, split->parentEnd)) {
        out->fd = exp->rootfd;
        out->ownsFd = false;
        return 0;
    }

    if (plen > PATH_MAX)
        return -ENAMETOOLONG;
    memcpy(exp->parentBuf, split->parentStart, plen);
    exp->parentBuf[plen] = '\0';

    fd = pfsOpenat2(exp->rootfd, exp->parentBuf, O_PATH | O_DIRECTORY);
    if (fd < 0)
        return fd;
    out->fd = fd;
    out->ownsFd = true;
    return 0;
}


/* Common start of pfsProxyPathLookup() and pfsProxyPathParent(): empty
 * @out and split @path into @split; a path naming the root is resolved
 * right away (@split->isRoot, @out->isRoot). */
static int
pfsProxyPathStart(pfsProxyExport *exp, const char *path,
                  pfsProxyPath *out, pfsPathSplit *split)
{
    int r;

    out->fd = -1;
    out->ownsFd = false;
    out->name = ".";
    out->isDir = false;
    out->isRoot = false;
    out->trailingSlash = false;

    if ((r = pfsPathSplitString(path, split)) < 0)
        return r;
    if (split->isRoot) {
        out->fd = exp->rootfd;
        out->isRoot = true;
    }
    return 0;
}


int
pfsProxyPathLookup(pfsProxyExport *exp, const char *path,
                   pfsProxyPath *out)
{
    pfsPathSplit split;
    int r;

    if ((r = pfsProxyPathStart(exp, path, out, &split)) < 0)
        return r;
    if (split.isRoot) {
        out->isDir = true;
        return 0;
    }

    /* "." and ".." are never symlinks and a trailing slash means "follow
     * and require a directory", so resolving the whole path inside the
     * root is exactly right, and ".." can never leave the export. */
    if (split.trailingSlash || pfsNameIsDots(split.nameStart, split.nameLen)) {
        int fd = pfsOpenat2(exp->rootfd, path, O_PATH | O_DIRECTORY);
        if (fd < 0)
            return fd;
        out->fd = fd;
        out->ownsFd = true;
        out->isDir = true;
        return 0;
    }

    return pfsProxyPathOpenParent(exp, &split, out);
}


int
pfsProxyPathParent(pfsProxyExport *exp, const char *path,
                   pfsProxyPath *out)
{
    pfsPathSplit split;
    int r;

    if ((r = pfsProxyPathStart(exp, path, out, &split)) < 0)
        return r;
    if (split.isRoot)
        return 0;
    out->trailingSlash = split.trailingSlash;
    return pfsProxyPathOpenParent(exp, &split, out);
}


int
pfsProxyPathPin(pfsProxyExport *exp, const char *path,
                bool nofollow, int extraFlags)
{
    if (path[0] == '\0')
        return -ENOENT;
    return pfsOpenat2(exp->rootfd, path,
                      O_PATH | extraFlags | (nofollow ? O_NOFOLLOW : 0));
}


/* How often a reopen refused by a special file is tried again. */
#define PFS_REOPEN_ATTEMPTS 32

/* 1 when @fd is the inode described by @pinned, 0 when not, -errno. */
static int
pfsProxyIsPinnedInode(int fd, const struct stat *pinned)
{
    struct stat st;

    if (fstat(fd, &st) < 0)
        return -errno;
    return st.st_dev == pinned->st_dev && st.st_ino == pinned->st_ino;
}


/* Open (@dirfd, @path) again with @flags, never with O_TRUNC (which
 * would act before the check), and make sure that it is still the object
 * pinned (whose fstat() is @pinned): else -EAGAIN. O_NONBLOCK: whatever
 * was swapped in cannot block us (devices cannot be opened at all: the
 * sandbox's view of the export is nodev). */
static int
pfsProxyReopenChecked(const struct stat *pinned, int dirfd, const char *path,
                      int flags)
{
    int attempt;
    int same;
    int fd;

    for (attempt = 0; ; attempt++) {
        PFS_AUTOCLOSE now = -1;

        fd = pfsOpenat2(dirfd, path, (flags & ~O_TRUNC) | O_NONBLOCK | O_NOCTTY);
        if (fd >= 0)
            break;
        /* A special file swapped in refuses the open (EACCES: a device
         * on our nodev view; ENXIO: a FIFO without a reader, a socket),
         * which says nothing about the checked object. The swap may
         * already be undone: try again while the path still leads to
         * the checked object, and give up with the error only when it
         * keeps coming from that object. */
        if ((fd != -EACCES && fd != -ENXIO) || attempt == PFS_REOPEN_ATTEMPTS)
            return fd;
        now = pfsOpenat2(dirfd, path, O_PATH | (flags & O_NOFOLLOW));
        if (now < 0 || pfsProxyIsPinnedInode(now, pinned) != 1)
            return -EAGAIN;
    }
    if ((same = pfsProxyIsPinnedInode(fd, pinned)) != 1) {
        close(fd);
        return same < 0 ? same : -EAGAIN;
    }
    return fd;
}


int
pfsProxyPathReopen(pfsProxyExport *exp, int pinned, const struct stat *pinnedStat,
                   const char *path, int flags)
{
    PFS_AUTOCLOSE fd = -1;
    char num[16];

    if (exp->procfd >= 0) {
        snprintf(num, sizeof(num), "%d", pinned);
        fd = openat(exp->procfd, num, (flags & ~O_NOFOLLOW) | O_CLOEXEC | O_NOCTTY);
        return fd < 0 ? -errno : g_steal_fd(&fd);
    }

    if ((fd = pfsProxyReopenChecked(pinnedStat, exp->rootfd, path, flags)) < 0)
        return fd;
    if (flags & O_TRUNC) {
        /* truncate only what was checked; O_RDONLY | O_TRUNC truncates
         * too, through a second, writable fd */
        if ((flags & O_ACCMODE) == O_RDONLY) {
            PFS_AUTOCLOSE wfd = -1;

            if ((wfd = pfsProxyReopenChecked(pinnedStat, exp->rootfd, path,
                                             O_WRONLY | (flags & O_NOFOLLOW))) < 0)
                return wfd;
            if (ftruncate(wfd, 0) < 0)
                return -errno;
        } else if (ftruncate(fd, 0) < 0) {
            return -errno;
        }
    }
    /* F_SETFL takes the changeable flags as asked: O_NONBLOCK goes
     * unless it was asked for. */
    if (!(flags & O_NONBLOCK) && fcntl(fd, F_SETFL, flags) < 0)
        return -errno;
    return g_steal_fd(&fd);
}


int
pfsProxyPathChmodPinned(pfsProxyExport *exp, int pinned,
                        int dirfd, const char *name, mode_t mode)
{
    PFS_AUTOCLOSE fd = -1;
    struct stat st, now;
    char num[16];

    /* Linux 6.6 and later change an O_PATH fd's mode directly. */
    if (exp->fchmodat2)
        return pfsFchmodEmptyPath(pinned, mode);
    if (exp->procfd >= 0) {
        snprintf(num, sizeof(num), "%d", pinned);
        return fchmodat(exp->procfd, num, mode, 0) < 0 ? -errno : 0;
    }
    if (!exp->sandboxed)
        return -EPERM;

    /* In the sandbox, without /proc: a regular file or directory is
     * opened again (checked to be the same inode) and fchmod()ed. */
    if (fstat(pinned, &st) < 0)
        return -errno;
    if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
        fd = pfsProxyReopenChecked(&st, dirfd, name,
                                   O_RDONLY | (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0));
        if (fd < 0)
            return fd;
        return fchmod(fd, mode) < 0 ? -errno : 0;
    }
    /* FIFOs, sockets and device nodes are never opened: they are changed
     * by name, right after checking that the name still leads to them.
     * See docs/security.rst for the window this leaves before Linux 6.6. */
    if (fstatat(dirfd, name, &now, 0) < 0)
        return -errno;
    if (now.st_dev != st.st_dev || now.st_ino != st.st_ino)
        return -EAGAIN;
    return fchmodat(dirfd, name, mode, 0) < 0 ? -errno : 0;
}


int
pfsProxyPathUtimes(int pinned, const struct timespec times[2])
{
    return utimensat(pinned, "", times, AT_EMPTY_PATH) < 0 ? -errno : 0;
}
