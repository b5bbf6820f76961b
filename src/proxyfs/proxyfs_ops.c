/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxyfs_ops.c: the file operations behind each proxy request
 *
 * Which calls follow a final symlink matches QEMU's helper: open, create,
 * chmod, truncate, statfs and getversion follow it (always inside the
 * export), every other request acts on the link itself.
 *
 * Objects are created with mode 0, so no other user can open them, and
 * only then given the owner, group and mode QEMU asked for, following
 * the kernel's rules for setgid directories. QEMU's helper switched its
 * effective ids for this instead, which needs CAP_SETUID and CAP_SETGID.
 */
#include "pfsinternal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "pfsfile.h"
#include "pfslog.h"
#include "proxyfs_ops.h"

#define PFS_ID_UNCHANGED ((uint32_t)-1)

/* Requested flags a T_OPEN may not carry: creating goes through T_CREATE,
 * and an O_PATH fd is of no use to QEMU. (O_TMPFILE is tested on its own:
 * glibc's definition includes O_DIRECTORY.) */
#define PFS_OPEN_FORBIDDEN_FLAGS (O_CREAT | O_EXCL | O_PATH)

static bool
pfsOpenFlagsForbidden(int flags, int forbidden)
{
    return (flags & forbidden) || (flags & O_TMPFILE) == O_TMPFILE;
}

#define PFS_DECODE(call) \
    do { \
        int pfs_r = (call); \
        if (pfs_r < 0) \
            return pfs_r; \
    } while (0)


static bool
pfsModeIsFileOrDir(mode_t mode)
{
    return S_ISREG(mode) || S_ISDIR(mode);
}


static int32_t
pfsProxyRefuseSpecialFile(pfsProxyExport *exp, mode_t mode)
{
    if (S_ISLNK(mode))
        return -ELOOP;
    if (!exp->warnedSpecialFile) {
        PFS_WARN("%s", _("refused to open a special file (FIFO, socket or device): the client is broken or compromised"));
        exp->warnedSpecialFile = true;
    }
    return -ENXIO;
}


/* Open an existing object the way open(2) would, following a final
 * symlink inside the export, but never opening anything that is not a
 * regular file or directory: its type is checked on an O_PATH fd first,
 * so a FIFO cannot block us and a device is never opened. @creating: the
 * caller asked for O_CREAT, which open(2) refuses on a directory. */
static int32_t
pfsProxyOpenExisting(pfsProxyExport *exp, const char *path, int flags,
                     bool creating)
{
    int attempt;

    /* -EAGAIN: swapped between the check and the open (sandbox only) */
    for (attempt = 0; attempt < 4; attempt++) {
        PFS_AUTOCLOSE pinned = -1;
        struct stat st;
        int fd;

        pinned = pfsProxyPathPin(exp, path, flags & O_NOFOLLOW,
                                 flags & O_DIRECTORY);
        if (pinned < 0)
            return pinned;
        if (fstat(pinned, &st) < 0)
            return -errno;
        if (!pfsModeIsFileOrDir(st.st_mode))
            return pfsProxyRefuseSpecialFile(exp, st.st_mode);
        if (creating && S_ISDIR(st.st_mode))
            return -EISDIR;
        fd = pfsProxyPathReopen(exp, pinned, &st, path, flags);
        if (fd != -EAGAIN)
            return fd;
    }
    return -EAGAIN;
}


static bool
pfsOpenFlagsWrite(int flags)
{
    return (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
}


static int32_t
pfsProxyOpOpen(pfsProxyExport *exp, pfsProxyDecoder *dec, pfsProxyReply *reply)
{
    pfsProxyString path;
    int32_t flags;
    int32_t fd;

    PFS_DECODE(pfsProxyDecodeName(dec, &path));
    PFS_DECODE(pfsProxyDecodeS32(dec, &flags));

    if (pfsOpenFlagsForbidden(flags, PFS_OPEN_FORBIDDEN_FLAGS))
        return -EINVAL;
    /* read-only exports: the table cannot tell an open for writing */
    if (exp->readonly && pfsOpenFlagsWrite(flags))
        return -EROFS;

    if ((fd = pfsProxyOpenExisting(exp, path.str, flags, false)) < 0)
        return fd;
    reply->fd = fd;
    return 0;
}


/* What the kernel would have made of a creation by @uid:@gid in @parent:
 * the group (a setgid directory passes its own on) and the mode (a new
 * directory inherits the setgid bit; a new file loses it when its group
 * is not the creator's and the creator is not privileged). QEMU's helper
 * had full capabilities only for uid 0 with gid 0, and we never count
 * supplementary groups (CVE-2022-0358). */
typedef struct {
    uid_t owner;
    gid_t group;
    mode_t mode;
} pfsProxyNewAttrs;

static void
pfsProxyNewAttrsCompute(const struct stat *parent,
                        uint32_t uid,
                        uint32_t gid,
                        mode_t type,
                        mode_t mode,
                        pfsProxyNewAttrs *attrs)
{
    bool privileged = uid == 0 && gid == 0;
    gid_t creatorGid = gid == PFS_ID_UNCHANGED ? 0 : gid;
    bool setgidParent = parent->st_mode & S_ISGID;

    attrs->owner = uid == PFS_ID_UNCHANGED ? 0 : uid;
    attrs->group = setgidParent ? parent->st_gid : creatorGid;

    if (S_ISDIR(type)) {
        attrs->mode = mode & ((S_IRWXU | S_IRWXG | S_IRWXO) | S_ISVTX);
        if (setgidParent)
            attrs->mode |= S_ISGID;
        return;
    }

    attrs->mode = mode & 07777;
    if ((attrs->mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP) &&
        setgidParent && attrs->group != creatorGid && !privileged)
        attrs->mode &= ~S_ISGID;
}


/* Give a freshly created object (still mode 0, owned by us) its final
 * owner and mode. fchown() comes first because it clears set-id bits.
 * @fd is open on the object, or an O_PATH fd of it found at @where. */
static int32_t
pfsProxyNewAttrsApply(pfsProxyExport *exp,
                      int fd,
                      const pfsProxyPath *where,
                      const struct stat *parent,
                      const pfsProxyNewAttrs *attrs,
                      bool setMode)
{
    gid_t kernelGroup = (parent->st_mode & S_ISGID) ? parent->st_gid : exp->egid;

    if (attrs->owner != exp->euid || attrs->group != kernelGroup) {
        if (fchownat(fd, "", attrs->owner, attrs->group, AT_EMPTY_PATH) < 0)
            return -errno;
    }
    if (!setMode || attrs->mode == 0)
        return 0;
    if (where)
        return pfsProxyPathChmodPinned(exp, fd, where->fd, where->name, attrs->mode);
    return fchmod(fd, attrs->mode) < 0 ? -errno : 0;
}


/* Check that what sits at @name is what we just created (a host process
 * with write access to the directory could have swapped it): our own
 * object, of the expected type, mode 0 (a directory may have inherited
 * S_ISGID), with no other link. */
static int32_t
pfsProxyPinCreated(pfsProxyExport *exp, int dirfd, const char *name,
                   mode_t type, int *pinned)
{
    struct stat st;
    int fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);

    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) < 0) {
        int r = -errno;
        close(fd);
        return r;
    }
    if ((st.st_mode & S_IFMT) != type || st.st_uid != exp->euid ||
        (!S_ISLNK(type) && (st.st_mode & 07777 & ~(S_ISDIR(type) ? S_ISGID : 0)) != 0) ||
        (!S_ISDIR(type) && st.st_nlink != 1)) {
        close(fd);
        PFS_WARN(_("'%s' changed while it was being created; not touching it"),
                 name);
        return -EAGAIN;
    }
    *pinned = fd;
    return 0;
}


static int32_t
pfsProxyOpCreate(pfsProxyExport *exp, pfsProxyDecoder *dec, pfsProxyReply *reply)
{
    PFS_AUTO_PROXY_PATH where = { .fd = -1 };
    pfsProxyString path;
    int32_t flags, mode;
    uint32_t uid, gid;
    pfsProxyNewAttrs attrs;
    struct stat parent;
    int attempt;
    int32_t r;

    PFS_DECODE(pfsProxyDecodeName(dec, &path));
    PFS_DECODE(pfsProxyDecodeS32(dec, &flags));
    PFS_DECODE(pfsProxyDecodeS32(dec, &mode));
    PFS_DECODE(pfsProxyDecodeU32(dec, &uid));
    PFS_DECODE(pfsProxyDecodeU32(dec, &gid));

    if (pfsOpenFlagsForbidden(flags, O_PATH))
        return -EINVAL;

    if ((r = pfsProxyPathParent(exp, path.str, &where)) < 0)
        return r;
    if (where.isRoot || where.trailingSlash ||
        strcmp(where.name, ".") == 0 || strcmp(where.name, "..") == 0)
        return (flags & O_EXCL) ? -EEXIST : -EISDIR;
    if (fstat(where.fd, &parent) < 0)
        return -errno;

    /* Either we create the file (O_EXCL makes that certain, and mode 0
     * keeps everyone else out until it is ours to hand over), or it
     * exists and is opened like T_OPEN would. A concurrent unlink between
     * the two can only send us round again. */
    for (attempt = 0; attempt < 8; attempt++) {
        int fd = openat(where.fd, where.name,
                        (flags & ~(O_CREAT | O_EXCL)) | O_CREAT | O_EXCL |
                        O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0);
        if (fd >= 0) {
            pfsProxyNewAttrsCompute(&parent, uid, gid, S_IFREG, mode, &attrs);
            r = pfsProxyNewAttrsApply(exp, fd, NULL, &parent, &attrs, true);
            if (r < 0) {
                close(fd);
                unlinkat(where.fd, where.name, 0);
                return r;
            }
            reply->fd = fd;
            return 0;
        }
        if (errno != EEXIST)
            return -errno;
        if (flags & O_EXCL)
            return -EEXIST;

        r = pfsProxyOpenExisting(exp, path.str, flags & ~(O_CREAT | O_EXCL), true);
        if (r >= 0) {
            reply->fd = r;
            return 0;
        }
        if (r != -ENOENT)
            return r;
        /* A dangling symlink: open(2) would create its target. We do not
         * create anything through a symlink. */
        {
            struct stat st;
            if (fstatat(where.fd, where.name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                S_ISLNK(st.st_mode))
                return -ENOENT;
        }
    }
    return -EAGAIN;
}


/* Common start of mknod, mkdir and symlink: resolve the parent of @path
 * into @where and fstat() it into @parent. The root always exists; a
 * trailing slash names a directory, which only mkdir may create
 * (@slashAllowed). */
static int32_t
pfsProxyBeginCreate(pfsProxyExport *exp,
                    const char *path,
                    bool slashAllowed,
                    pfsProxyPath *where,
                    struct stat *parent)
{
    int32_t r;

    if ((r = pfsProxyPathParent(exp, path, where)) < 0)
        return r;
    if (where->isRoot)
        return -EEXIST;
    if (where->trailingSlash && !slashAllowed)
        return -ENOENT;
    if (fstat(where->fd, parent) < 0)
        return -errno;
    return 0;
}


/* Common tail of mknod, mkdir and symlink: pin what was just created at
 * (@where) with @type, give it the owner and mode that @uid:@gid asking
 * for @mode would have got, and remove it if that fails so nothing
 * half-made is left behind. */
static int32_t
pfsProxyFinishCreated(pfsProxyExport *exp,
                      pfsProxyPath *where,
                      const struct stat *parent,
                      uint32_t uid,
                      uint32_t gid,
                      mode_t type,
                      mode_t mode)
{
    PFS_AUTOCLOSE pinned = -1;
    pfsProxyNewAttrs attrs;
    int32_t r;

    pfsProxyNewAttrsCompute(parent, uid, gid, type, mode, &attrs);
    r = pfsProxyPinCreated(exp, where->fd, where->name, type, &pinned);
    if (r == 0)
        r = pfsProxyNewAttrsApply(exp, pinned, where, parent, &attrs,
                                  !S_ISLNK(type));
    if (r < 0 && r != -EAGAIN)
        unlinkat(where->fd, where->name, S_ISDIR(type) ? AT_REMOVEDIR : 0);
    return r;
}


static int32_t
pfsProxyOpMknod(pfsProxyExport *exp, pfsProxyDecoder *dec, pfsProxyReply *reply)
{
    PFS_AUTO_PROXY_PATH where = { .fd = -1 };
    uint32_t uid, gid;
    pfsProxyString path;
    int32_t mode;
    uint64_t rdev;
    mode_t type;
    struct stat parent;
    int32_t r;

    PFS_DECODE(pfsProxyDecodeU32(dec, &uid));
    PFS_DECODE(pfsProxyDecodeU32(dec, &gid));
    PFS_DECODE(pfsProxyDecodeName(dec, &path));
    PFS_DECODE(pfsProxyDecodeS32(dec, &mode));
    PFS_DECODE(pfsProxyDecodeU64(dec, &rdev));


    /* mknod(2) reads a zero type as a regular file. */
    type = (mode & S_IFMT) ? (mode & S_IFMT) : S_IFREG;
    switch (type) {
    case S_IFCHR:
    case S_IFBLK:
        /* Device nodes are a way out of any confinement; they are only
         * made when the administrator allowed it, and (as QEMU's helper
         * did) only for a request by uid 0 and gid 0. */
        if (!exp->allowDevices || uid != 0 || gid != 0)
            return -EPERM;
        break;
    case S_IFREG:
    case S_IFIFO:
    case S_IFSOCK:
        break;
    case S_IFDIR:
        return -EPERM;
    default:
        return -EINVAL;
    }

    if ((r = pfsProxyBeginCreate(exp, path.str, false, &where, &parent)) < 0)
        return r;
    if (mknodat(where.fd, where.name, type, (dev_t)rdev) < 0)
        return -errno;
    return pfsProxyFinishCreated(exp, &where, &parent, uid, gid, type, mode);
}


static int32_t
pfsProxyOpMkdir(pfsProxyExport *exp, pfsProxyDecoder *dec, pfsProxyReply *reply)
{
    PFS_AUTO_PROXY_PATH where = { .fd = -1 };
    uint32_t uid, gid;
    pfsProxyString path;
    int32_t mode;
    struct stat parent;
    int32_t r;

    PFS_DECODE(pfsProxyDecodeU32(dec, &uid));
    PFS_DECODE(pfsProxyDecodeU32(dec, &gid));
    PFS_DECODE(pfsProxyDecodeName(dec, &path));
    PFS_DECODE(pfsProxyDecodeS32(dec, &mode));

    /* mkdir(2) takes "dir/" */
    if ((r = pfsProxyBeginCreate(exp, path.str, true, &where, &parent)) < 0)
        return r;
    if (mkdirat(where.fd, where.name, 0) < 0)
        return -errno;
    return pfsProxyFinishCreated(exp, &where, &parent, uid, gid, S_IFDIR, mode);
}


static int32_t
pfsProxyOpSymlink(pfsProxyExport *exp, pfsProxyDecoder *dec, pfsProxyReply *reply)
{
    PFS_AUTO_PROXY_PATH where = { .fd = -1 };
    uint32_t uid, gid;
    pfsProxyString target, path;
    struct stat parent;
    int32_t r;

    PFS_DECODE(pfsProxyDecodeU32(dec, &uid));
    PFS_DECODE(pfsProxyDecodeU32(dec, &gid));
    PFS_DECODE(pfsProxyDecodeName(dec, &target));
    PFS_DECODE(pfsProxyDecodeName(dec, &path));

    if ((r = pfsProxyBeginCreate(exp, path.str, false, &where, &parent)) < 0)
        return r;
    /* The target is stored as it is: it is only ever followed inside the
     * export, by us or by the guest's own kernel. */
    if (symlinkat(target.str, where.fd, where.name) < 0)
        return -errno;
    return pfsProxyFinishCreated(exp, &where, &parent, uid, gid, S_IFLNK, 0777);
}


/* With a trailing slash the name must be a directory (not a symlink). */
static int32_t
pfsProxyRequireDir(pfsProxyPath *where)
{
    struct stat st;

    if (!where->trailingSlash)
        return 0;
    if (fstatat(where->fd, where->name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return -errno;
    return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}


static int32_t
pfsProxyOpLink(pfsProxyExport *exp, pfsProxyDecoder *dec, pfsProxyReply *reply)
{
    PFS_AUTO_PROXY_PATH from = { .fd = -1 };
    PFS_AUTO_PROXY_PATH to = { .fd = -1 };
    pfsProxyString oldpath, newpath;
    int32_t r;

    PFS_DECODE(pfsProxyDecodeName(dec, &oldpath));
    PFS_DECODE(pfsProxyDecodeName(dec, &newpath));

    if ((r = pfsProxyPathParent(exp, oldpath.str, &from)) < 0)
        return r;
    /* Directories cannot be hard-linked; never look ".." up from here. */
    if (from.isRoot || from.trailingSlash ||
        strcmp(from.name, ".") == 0 || strcmp(from.name, "..") == 0)
        return -EPERM;
    /* The second resolution reuses the name buffer: keep our own copy. */
    {
        char oldname[NAME_MAX + 1];

        g_strlcpy(oldname, from.name, sizeof(oldname));
        if ((r = pfsProxyPathParent(exp, newpath.str, &to)) < 0)
            return r;
        if (to.isRoot)
            return -EEXIST;
        if (to.trailingSlash)
            return -ENOENT;
        if (linkat(from.fd, oldname, to.fd, to.name, 0) < 0)
            return -errno;
    }
    return 0;
}


static int32_t
pfsProxyOpLstat(pfsProxyExport *exp, pfsProxyDecoder *dec, pfsProxyReply *reply)
{
    PFS_AUTO_PROXY_PATH where = { .fd = -1 };
    pfsProxyString path;
    struct stat st;
    int32_t r;

    PFS_DECODE(pfsProxyDecodeName(dec, &path));

    if ((r = pfsProxyPathLookup(exp, path.str, &where)) < 0)
        return r;
    if (where.isDir)
        r = fstat(where.fd, &st);
    else
        r = fstatat(where.fd, where.name, &st, AT_SYMLINK_NOFOLLOW);
    if (r < 0)
        return -errno;
    pfsProxyEncodeStat(&reply->data, &st);
    return 0;
}


static int32_t
pfsProxyOpReadlink(pfsProxyExport *exp, pfsProxyDecoder *dec, pfsProxyReply *reply)
{
    PFS_AUTO_PROXY_PATH where = { .fd = -1 };
    pfsProxyString path;
    int32_t bufsize;
    size_t max;
    char *buf;
    ssize_t n;
    int32_t r;

    PFS_DECODE(pfsProxyDecodeName(dec, &path));
    PFS_DECODE(pfsProxyDecodeS32(dec, &bufsize));

    /* The reply must fit the client's buffer with its NUL. */
    if (bufsize < 2)
        return -EINVAL;
    max = MIN((size_t)bufsize - 1, PFS_PROXY_MAX_REPLY_STRING);

    if ((r = pfsProxyPathLookup(exp, path.str, &where)) < 0)
        return r;
    if (where.isDir)
        return -EINVAL;
    if (!(buf = pfsProxyEncodeStringReserve(&reply->data, max)))
        return -ENOBUFS;
    if ((n = readlinkat(where.fd, where.name, buf, max)) < 0)
        return -errno;
    pfsProxyEncodeStringCommit(&reply->data, n);
    return 0;
}


static int32_t
pfsProxyOpStatfs(pfsProxyExport *exp, pfsProxyDecoder *dec, pfsProxyReply *reply)
{
    PFS_AUTOCLOSE pinned = -1;
    pfsProxyString path;
    struct statfs sfs;

    PFS_DECODE(pfsProxyDecodeName(dec, &path));

    if ((pinned = pfsProxyPathPin(exp, path.str, false, 0)) < 0)
        return pinned;
    if (fstatfs(pinned, &sfs) < 0)
        return -errno;
    pfsProxyEncodeStatFS(&reply->data, &sfs);
    return 0;
}


static int32_t
pfsProxyOpChmod(pfsProxyExport *exp, pfsProxyDecoder *dec, pfsProxyReply *reply)
{
    PFS_AUTOCLOSE pinned = -1;
    pfsProxyString path;
    int32_t mode;

    PFS_DECODE(pfsProxyDecodeName(dec, &path));
    PFS_DECODE(pfsProxyDecodeS32(dec, &mode));

    if ((pinned = pfsProxyPathPin(exp, path.str, false, 0)) < 0)
        return pinned;
    return pfsProxyPathChmodPinned(exp, pinned, exp->rootfd, path.str, mode);
}


static int32_t
pfsProxyOpChown(pfsProxyExport *exp, pfsProxyDecoder *dec, pfsProxyReply *reply)
{
    PFS_AUTO_PROXY_PATH where = { .fd = -1 };
    pfsProxyString path;
    uint32_t uid, gid;
    int32_t r;

    PFS_DECODE(pfsProxyDecodeName(dec, &path));
    PFS_DECODE(pfsProxyDecodeU32(dec, &uid));
    PFS_DECODE(pfsProxyDecodeU32(dec, &gid));

    if ((r = pfsProxyPathLookup(exp, path.str, &where)) < 0)
        return r;
    if (where.isDir)
        r = fchownat(where.fd, "", uid, gid, AT_EMPTY_PATH);
    else
        r = fchownat(where.fd, where.name, uid, gid, AT_SYMLINK_NOFOLLOW);
    return r < 0 ? -errno : 0;
}


static int32_t
pfsProxyOpTruncate(pfsProxyExport *exp, pfsProxyDecoder *dec, pfsProxyReply *reply)
{
    PFS_AUTOCLOSE pinned = -1;
    PFS_AUTOCLOSE fd = -1;
    pfsProxyString path;
    int64_t length;
    struct stat st;

    PFS_DECODE(pfsProxyDecodeName(dec, &path));
    PFS_DECODE(pfsProxyDecodeS64(dec, &length));

    if (length < 0)
        return -EINVAL;
    if ((pinned = pfsProxyPathPin(exp, path.str, false, 0)) < 0)
        return pinned;
    if (fstat(pinned, &st) < 0)
        return -errno;
    /* truncate(2)'s answers for what is not a regular file */
    if (S_ISDIR(st.st_mode))
        return -EISDIR;
    if (!S_ISREG(st.st_mode))
        return -EINVAL;
    /* the fd is ours alone: O_NONBLOCK may stay on it */
    if ((fd = pfsProxyPathReopen(exp, pinned, &st, path.str, O_WRONLY | O_NONBLOCK)) < 0)
        return fd;
    return ftruncate(fd, length) < 0 ? -errno : 0;
}


static int32_t
pfsProxyOpUtime(pfsProxyExport *exp, pfsProxyDecoder *dec, pfsProxyReply *reply)
{
    PFS_AUTO_PROXY_PATH where = { .fd = -1 };
    pfsProxyString path;
    int64_t t[4];
    struct timespec times[2];
    int32_t r;
    size_t i;

    PFS_DECODE(pfsProxyDecodeName(dec, &path));
    for (i = 0; i < G_N_ELEMENTS(t); i++)
        PFS_DECODE(pfsProxyDecodeS64(dec, &t[i]));


    /* Applied literally, QEMU's own quirks included (it puts the mtime
     * nanoseconds in the atime slot); the kernel checks the ranges. */
    times[0].tv_sec = t[0];
    times[0].tv_nsec = t[1];
    times[1].tv_sec = t[2];
    times[1].tv_nsec = t[3];

    if ((r = pfsProxyPathLookup(exp, path.str, &where)) < 0)
        return r;
    if (where.isDir)
        return pfsProxyPathUtimes(where.fd, times);
    r = utimensat(where.fd, where.name, times, AT_SYMLINK_NOFOLLOW);
    return r < 0 ? -errno : 0;
}


static int32_t
pfsProxyOpRename(pfsProxyExport *exp, pfsProxyDecoder *dec, pfsProxyReply *reply)
{
    PFS_AUTO_PROXY_PATH from = { .fd = -1 };
    PFS_AUTO_PROXY_PATH to = { .fd = -1 };
    pfsProxyString oldpath, newpath;
    char oldname[NAME_MAX + 1];
    int32_t r;

    PFS_DECODE(pfsProxyDecodeName(dec, &oldpath));
    PFS_DECODE(pfsProxyDecodeName(dec, &newpath));

    if ((r = pfsProxyPathParent(exp, oldpath.str, &from)) < 0)
        return r;
    if (from.isRoot)
        return -EBUSY;
    if ((r = pfsProxyRequireDir(&from)) < 0)
        return r;
    g_strlcpy(oldname, from.name, sizeof(oldname));

    if ((r = pfsProxyPathParent(exp, newpath.str, &to)) < 0)
        return r;
    if (to.isRoot)
        return -EBUSY;
    if (to.trailingSlash && !from.trailingSlash) {
        struct stat st;
        if (fstatat(from.fd, oldname, &st, AT_SYMLINK_NOFOLLOW) < 0)
            return -errno;
        if (!S_ISDIR(st.st_mode))
            return -ENOTDIR;
    }
    /* "." and ".." as either name are refused by the kernel itself. */
    if (renameat(from.fd, oldname, to.fd, to.name) < 0)
        return -errno;
    return 0;
}


static int32_t
pfsProxyOpRemove(pfsProxyExport *exp, pfsProxyDecoder *dec, pfsProxyReply *reply)
{
    PFS_AUTO_PROXY_PATH where = { .fd = -1 };
    pfsProxyString path;
    int32_t r;

    PFS_DECODE(pfsProxyDecodeName(dec, &path));

    if ((r = pfsProxyPathParent(exp, path.str, &where)) < 0)
        return r;
    if (where.isRoot)
        return -EBUSY;

    /* remove(3): unlink, and rmdir when it is a directory */
    if (!where.trailingSlash && unlinkat(where.fd, where.name, 0) == 0)
        return 0;
    if (!where.trailingSlash && errno != EISDIR)
        return -errno;
    if (unlinkat(where.fd, where.name, AT_REMOVEDIR) < 0)
        return -errno;
    return 0;
}


/* The l*xattr calls only take paths: run them on the final name from
 * inside its (held) parent directory, so the name is a single component
 * whose final symlink is never followed. */
static int32_t
pfsProxyXattrEnter(pfsProxyExport *exp, const char *path,
                   pfsProxyPath *where)
{
    int32_t r;

    if ((r = pfsProxyPathLookup(exp, path, where)) < 0)
        return r;
    /* names in the root, the common case, need no fchdir() each time */
    if (where->fd == exp->rootfd && exp->cwdIsRoot)
        return 0;
    exp->cwdIsRoot = false;
    if (fchdir(where->fd) < 0)
        return -errno;
    exp->cwdIsRoot = where->fd == exp->rootfd;
    return 0;
}


/* lgetxattr(2) of @attr, or llistxattr(2) when @attr is NULL; @name is
 * a single component in the current directory (pfsProxyXattrEnter). */
static ssize_t
pfsProxyXattrFetch(const char *name, const char *attr, char *buf, size_t len)
{
    if (attr)
        return lgetxattr(name, attr, buf, len);
    return llistxattr(name, buf, len);
}


/* Common body of T_LGETXATTR (@attr) and T_LLISTXATTR (@attr NULL):
 * a @size of 0 asks for the length only, which comes back as a status;
 * else the value or list is read into a buffer of @size bytes (at most
 * what a reply holds). */
static int32_t
pfsProxyXattrRead(pfsProxyExport *exp, pfsProxyReply *reply, int32_t size,
                  const char *path, const char *attr)
{
    PFS_AUTO_PROXY_PATH where = { .fd = -1 };
    size_t max;
    char *buf;
    ssize_t n;
    int32_t r;

    if (size == 0)
        reply->klass = PFS_PROXY_REPLY_STATUS;
    if (size < 0)
        return -EINVAL;
    if ((r = pfsProxyXattrEnter(exp, path, &where)) < 0)
        return r;

    if (size == 0) {
        n = pfsProxyXattrFetch(where.name, attr, NULL, 0);
        return n < 0 ? -errno : (int32_t)MIN(n, G_MAXINT32);
    }

    max = MIN((size_t)size, PFS_PROXY_MAX_REPLY_STRING);
    if (!(buf = pfsProxyEncodeStringReserve(&reply->data, max)))
        return -ENOBUFS;
    if ((n = pfsProxyXattrFetch(where.name, attr, buf, max)) < 0)
        return -errno;
    pfsProxyEncodeStringCommit(&reply->data, n);
    return 0;
}


static int32_t
pfsProxyOpLgetxattr(pfsProxyExport *exp, pfsProxyDecoder *dec, pfsProxyReply *reply)
{
    pfsProxyString path, name;
    int32_t size;

    PFS_DECODE(pfsProxyDecodeS32(dec, &size));
    PFS_DECODE(pfsProxyDecodeName(dec, &path));
    PFS_DECODE(pfsProxyDecodeName(dec, &name));

    return pfsProxyXattrRead(exp, reply, size, path.str, name.str);
}


static int32_t
pfsProxyOpLlistxattr(pfsProxyExport *exp, pfsProxyDecoder *dec, pfsProxyReply *reply)
{
    pfsProxyString path;
    int32_t size;

    PFS_DECODE(pfsProxyDecodeS32(dec, &size));
    PFS_DECODE(pfsProxyDecodeName(dec, &path));

    return pfsProxyXattrRead(exp, reply, size, path.str, NULL);
}


static int32_t
pfsProxyOpLsetxattr(pfsProxyExport *exp, pfsProxyDecoder *dec, pfsProxyReply *reply)
{
    PFS_AUTO_PROXY_PATH where = { .fd = -1 };
    pfsProxyString path, name, value;
    int32_t size, flags;
    int32_t r;

    PFS_DECODE(pfsProxyDecodeName(dec, &path));
    PFS_DECODE(pfsProxyDecodeName(dec, &name));
    /* a value is bytes: NULs are allowed */
    PFS_DECODE(pfsProxyDecodeString(dec, &value));
    PFS_DECODE(pfsProxyDecodeS32(dec, &size));
    PFS_DECODE(pfsProxyDecodeS32(dec, &flags));

    /* The value is exactly the bytes received: never read past them. */
    if (size < 0 || (size_t)size > value.len)
        return -EINVAL;
    if ((r = pfsProxyXattrEnter(exp, path.str, &where)) < 0)
        return r;
    if (lsetxattr(where.name, name.str, value.str, size, flags) < 0)
        return -errno;
    return 0;
}


static int32_t
pfsProxyOpLremovexattr(pfsProxyExport *exp, pfsProxyDecoder *dec, pfsProxyReply *reply)
{
    PFS_AUTO_PROXY_PATH where = { .fd = -1 };
    pfsProxyString path, name;
    int32_t r;

    PFS_DECODE(pfsProxyDecodeName(dec, &path));
    PFS_DECODE(pfsProxyDecodeName(dec, &name));

    if ((r = pfsProxyXattrEnter(exp, path.str, &where)) < 0)
        return r;
    if (lremovexattr(where.name, name.str) < 0)
        return -errno;
    return 0;
}


static int32_t
pfsProxyOpGetversion(pfsProxyExport *exp, pfsProxyDecoder *dec, pfsProxyReply *reply)
{
    PFS_AUTOCLOSE pinned = -1;
    PFS_AUTOCLOSE fd = -1;
    pfsProxyString path;
    struct stat st;
    /* The filesystems write a 32-bit generation into this 64-bit slot:
     * start from zero so no stale byte ever reaches the guest. */
    union {
        uint64_t wide;
        uint32_t generation;
    } version = { 0 };

    if (!exp->getversion) {
        pfsProxyEncodeU64(&reply->data, 0);
        return 0;
    }

    PFS_DECODE(pfsProxyDecodeName(dec, &path));

    if ((pinned = pfsProxyPathPin(exp, path.str, false, 0)) < 0)
        return pinned;
    if (fstat(pinned, &st) < 0)
        return -errno;
    if (!pfsModeIsFileOrDir(st.st_mode))
        return -ENXIO;
    if ((fd = pfsProxyPathReopen(exp, pinned, &st, path.str, O_RDONLY | O_NONBLOCK)) < 0)
        return fd;
    if (ioctl(fd, FS_IOC_GETVERSION, &version) < 0)
        return -errno;
    pfsProxyEncodeU64(&reply->data, version.generation);
    return 0;
}


static const pfsProxyOpInfo pfsProxyOps[PFS_PROXY_T_LAST] = {
    [PFS_PROXY_T_OPEN] = { pfsProxyOpOpen, PFS_PROXY_REPLY_FD, false },
    [PFS_PROXY_T_CREATE] = { pfsProxyOpCreate, PFS_PROXY_REPLY_FD, true },
    [PFS_PROXY_T_MKNOD] = { pfsProxyOpMknod, PFS_PROXY_REPLY_STATUS, true },
    [PFS_PROXY_T_MKDIR] = { pfsProxyOpMkdir, PFS_PROXY_REPLY_STATUS, true },
    [PFS_PROXY_T_SYMLINK] = { pfsProxyOpSymlink, PFS_PROXY_REPLY_STATUS, true },
    [PFS_PROXY_T_LINK] = { pfsProxyOpLink, PFS_PROXY_REPLY_STATUS, true },
    [PFS_PROXY_T_LSTAT] = { pfsProxyOpLstat, PFS_PROXY_REPLY_DATA, false },
    [PFS_PROXY_T_READLINK] = { pfsProxyOpReadlink, PFS_PROXY_REPLY_DATA, false },
    [PFS_PROXY_T_STATFS] = { pfsProxyOpStatfs, PFS_PROXY_REPLY_DATA, false },
    [PFS_PROXY_T_CHMOD] = { pfsProxyOpChmod, PFS_PROXY_REPLY_STATUS, true },
    [PFS_PROXY_T_CHOWN] = { pfsProxyOpChown, PFS_PROXY_REPLY_STATUS, true },
    [PFS_PROXY_T_TRUNCATE] = { pfsProxyOpTruncate, PFS_PROXY_REPLY_STATUS, true },
    [PFS_PROXY_T_UTIME] = { pfsProxyOpUtime, PFS_PROXY_REPLY_STATUS, true },
    [PFS_PROXY_T_RENAME] = { pfsProxyOpRename, PFS_PROXY_REPLY_STATUS, true },
    [PFS_PROXY_T_REMOVE] = { pfsProxyOpRemove, PFS_PROXY_REPLY_STATUS, true },
    [PFS_PROXY_T_LGETXATTR] = { pfsProxyOpLgetxattr, PFS_PROXY_REPLY_DATA, false },
    [PFS_PROXY_T_LLISTXATTR] = { pfsProxyOpLlistxattr, PFS_PROXY_REPLY_DATA, false },
    [PFS_PROXY_T_LSETXATTR] = { pfsProxyOpLsetxattr, PFS_PROXY_REPLY_STATUS, true },
    [PFS_PROXY_T_LREMOVEXATTR] = { pfsProxyOpLremovexattr, PFS_PROXY_REPLY_STATUS, true },
    [PFS_PROXY_T_GETVERSION] = { pfsProxyOpGetversion, PFS_PROXY_REPLY_DATA, false },
};


const pfsProxyOpInfo *
pfsProxyOpLookup(uint32_t type)
{
    if (type >= PFS_PROXY_T_LAST || !pfsProxyOps[type].func)
        return NULL;
    return &pfsProxyOps[type];
}
