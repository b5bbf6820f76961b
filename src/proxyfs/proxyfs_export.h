/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxyfs_export.h: the exported directory and confined path resolution
 *
 * QEMU names files by path strings relative to the export. Nothing here
 * hands a path string to a path-based syscall: a path is resolved under
 * a directory fd of the export root with openat2(RESOLVE_IN_ROOT), so
 * "..", absolute symlinks and races that swap directories for symlinks
 * all stay inside the export.
 */
#pragma once

#include "pfsinternal.h"

#include <limits.h>
#include <sys/stat.h>
#include <sys/types.h>

typedef struct _pfsProxyExport pfsProxyExport;
struct _pfsProxyExport {
    char *path;             /* canonical path of the export (malloc'ed) */
    int rootfd;             /* O_PATH directory fd of the export root */
    int procfd;             /* O_PATH fd of /proc/self/fd, to reopen pinned fds
                             * (-1 once sandboxed: the root is then the export) */
    bool sandboxed;         /* pivot_root'ed into the export */
    bool getversion;        /* the root filesystem answers FS_IOC_GETVERSION */
    bool fchmodat2;         /* the kernel has fchmodat2() (Linux 6.6) */
    bool readonly;          /* refuse every request that would change the export */
    bool allowDevices;      /* allow mknod of character and block devices */
    bool warnedSpecialFile; /* the special-file refusal was logged already */
    bool cwdIsRoot;         /* the working directory is rootfd (xattr calls) */
    uid_t euid;             /* owner the kernel gives to what we create */
    gid_t egid;             /* group the kernel gives outside setgid dirs */
    char parentBuf[PATH_MAX + 1];
    char nameBuf[NAME_MAX + 2];
};

/* Open @path as the export. It must be absolute, and its last component
 * a directory, not a symlink; exp->path is its canonical form. Returns 0,
 * or -1 with an error reported. */
int pfsProxyExportOpen(pfsProxyExport *exp, const char *path);
void pfsProxyExportClose(pfsProxyExport *exp);

/* Where a path ends up: a directory fd and a final name to use with the
 * *at() calls. When @isDir is set, @fd is the object itself (a
 * directory), and @name is ".". */
typedef struct _pfsProxyPath pfsProxyPath;
struct _pfsProxyPath {
    int fd;
    bool ownsFd;
    const char *name;
    bool isDir;
    bool isRoot;            /* the path names the export root itself */
    bool trailingSlash;     /* the path ended in '/' (only in parent mode) */
};

void pfsProxyPathClear(pfsProxyPath *path);

#define PFS_AUTO_PROXY_PATH \
    __attribute__((cleanup(pfsProxyPathClear))) pfsProxyPath

/* Resolve for an operation that looks at an existing object and does not
 * follow a final symlink (lstat, lchown, utimensat, readlink, l*xattr).
 * A path that can only name a directory ("/", ".", "..", trailing "/") is
 * resolved whole. Returns 0 or -errno. */
int pfsProxyPathLookup(pfsProxyExport *exp, const char *path,
                       pfsProxyPath *out);

/* Resolve the parent for an operation that creates, removes or renames
 * the final name. The final name is given to the kernel as it is: the
 * kernel refuses "." and ".." there without looking them up. Returns 0 or
 * -errno. */
int pfsProxyPathParent(pfsProxyExport *exp, const char *path,
                       pfsProxyPath *out);

/* Open @path as an O_PATH fd, following a final symlink inside the export
 * unless @nofollow. @extraFlags may add O_DIRECTORY. Returns the fd or
 * -errno. */
int pfsProxyPathPin(pfsProxyExport *exp, const char *path,
                    bool nofollow, int extraFlags);

/* Reopen the object pinned as @pinned (resolved from @path; its fstat()
 * is @pinnedStat) with real open flags. Unconfined, through
 * /proc/self/fd; in the sandbox, by resolving @path again and checking
 * that it is still the same inode (else -EAGAIN), opening with
 * O_NONBLOCK so that nothing swapped in can block us. A caller that does
 * not mind O_NONBLOCK on the fd asks for it and saves a fcntl(). Returns
 * the fd or -errno. */
int pfsProxyPathReopen(pfsProxyExport *exp, int pinned,
                       const struct stat *pinnedStat,
                       const char *path, int flags);

/* chmod() of a pinned object, which (@dirfd, @name) resolves to: with
 * fchmodat2() where the kernel has it, else through /proc/self/fd, else
 * (in the sandbox) with fchmod() on a checked reopen, or by name for the
 * special files that are never opened. Returns 0 or -errno. */
int pfsProxyPathChmodPinned(pfsProxyExport *exp, int pinned,
                            int dirfd, const char *name, mode_t mode);

/* utimensat() of a pinned object (Linux 5.8: AT_EMPTY_PATH). Returns 0
 * or -errno. */
int pfsProxyPathUtimes(int pinned, const struct timespec times[2]);
