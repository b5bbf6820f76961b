/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfsfile.c: file descriptor helpers
 */
#include "pfsinternal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pfserror.h"
#include "pfsfile.h"

void
pfsForceClose(int *fdptr)
{
    int saved_errno;

    if (*fdptr < 0)
        return;
    saved_errno = errno;
    /* Linux always releases the fd, even when close() reports EINTR,
     * so there is nothing to retry. */
    close(*fdptr);
    *fdptr = -1;
    errno = saved_errno;
}


ssize_t
pfsSafeWrite(int fd, const void *buf, size_t count)
{
    const char *p = buf;
    size_t done = 0;

    while (done < count) {
        ssize_t r = write(fd, p + done, count - done);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (r == 0) {
            errno = EIO;
            return -1;
        }
        done += r;
    }
    return done;
}


ssize_t
pfsSafeRead(int fd, void *buf, size_t count)
{
    char *p = buf;
    size_t done = 0;

    while (done < count) {
        ssize_t r = read(fd, p + done, count - done);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (r == 0)
            break;
        done += r;
    }
    return done;
}


static bool
pfsFdIsKept(int fd, const int *keep, size_t nkeep)
{
    size_t i;

    for (i = 0; i < nkeep; i++) {
        if (keep[i] == fd)
            return true;
    }
    return false;
}


/* Fallback for kernels without close_range(2): walk /proc/self/fd. */
static int
pfsCloseFdsByScan(int from, const int *keep, size_t nkeep)
{
    DIR *dir;
    struct dirent *ent;
    g_autoptr(GArray) fds = g_array_new(FALSE, FALSE, sizeof(int));
    size_t i;

    if (!(dir = opendir("/proc/self/fd"))) {
        pfsReportSystemError(errno, _("cannot list open file descriptors"));
        return -1;
    }
    while ((errno = 0, ent = readdir(dir))) {
        int fd;
        if (pfsParseFD(ent->d_name, &fd) < 0)
            continue;
        if (fd >= from && fd != dirfd(dir) && !pfsFdIsKept(fd, keep, nkeep))
            g_array_append_val(fds, fd);
    }
    closedir(dir);
    for (i = 0; i < fds->len; i++)
        close(g_array_index(fds, int, i));
    return 0;
}


int
pfsFDCompare(const void *a, const void *b)
{
    int x = *(const int *)a;
    int y = *(const int *)b;

    return (x > y) - (x < y);
}


int
pfsCloseFdsExcept(int from, const int *keep, size_t nkeep)
{
    g_autofree int *sorted = g_new0(int, nkeep + 1);
    unsigned int lo = from;
    size_t i;

    /* close_range() takes ranges, so close the gaps between kept fds. */
    if (nkeep > 0)
        memcpy(sorted, keep, nkeep * sizeof(int));
    qsort(sorted, nkeep, sizeof(int), pfsFDCompare);

    for (i = 0; i <= nkeep; i++) {
        unsigned int hi = i < nkeep ? (unsigned int)sorted[i] : UINT_MAX;

        if (i < nkeep && sorted[i] < from)
            continue;
        if (hi > lo &&
            syscall(SYS_close_range, lo, hi - 1, 0) < 0) {
            if (errno == ENOSYS)
                return pfsCloseFdsByScan(from, keep, nkeep);
            pfsReportSystemError(errno, _("cannot close inherited file descriptors"));
            return -1;
        }
        if (i < nkeep)
            lo = sorted[i] + 1;
    }
    return 0;
}


int
pfsSetCloseExec(int fd, bool closeOnExec)
{
    int flags = fcntl(fd, F_GETFD);

    if (flags < 0) {
        pfsReportSystemError(errno, _("cannot read flags of file descriptor %d"), fd);
        return -1;
    }
    if (closeOnExec)
        flags |= FD_CLOEXEC;
    else
        flags &= ~FD_CLOEXEC;
    if (fcntl(fd, F_SETFD, flags) < 0) {
        pfsReportSystemError(errno, _("cannot set flags of file descriptor %d"), fd);
        return -1;
    }
    return 0;
}


int
pfsParseFD(const char *str, int *fd)
{
    char *end = NULL;
    long val;

    if (!str || !g_ascii_isdigit(*str))
        return -1;
    errno = 0;
    val = strtol(str, &end, 10);
    if (errno != 0 || *end != '\0' || val < 0 || val > INT_MAX)
        return -1;
    *fd = val;
    return 0;
}


bool
pfsFchmodat2Available(void)
{
    /* fd -1: a kernel that has the call answers EBADF */
    return syscall(PFS_SYS_FCHMODAT2, -1, "", 0, AT_EMPTY_PATH) < 0 && errno == EBADF;
}


int
pfsFchmodEmptyPath(int fd, mode_t mode)
{
    return syscall(PFS_SYS_FCHMODAT2, fd, "", mode, AT_EMPTY_PATH) < 0 ? -errno : 0;
}


int
pfsDirOpenPrivate(const char *path)
{
    struct stat st;
    int fd;

    if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        pfsReportSystemError(errno, _("cannot open directory '%s'"), path);
        return -1;
    }
    if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022) != 0) {
        pfsReportError(_("directory '%s' (uid %u, mode %04o) may be changed by another user: refusing to use it"),
                       path, (unsigned int)st.st_uid, (unsigned int)(st.st_mode & 07777));
        close(fd);
        return -1;
    }
    return fd;
}


int
pfsDirMakePrivate(const char *path, mode_t mode)
{
    PFS_AUTOCLOSE fd = -1;

    if (g_mkdir_with_parents(path, 0755) < 0) {
        pfsReportSystemError(errno, _("cannot create directory '%s'"), path);
        return -1;
    }
    if ((fd = pfsDirOpenPrivate(path)) < 0)
        return -1;
    if (fchmod(fd, mode) < 0) {
        pfsReportSystemError(errno, _("cannot change the mode of '%s'"), path);
        return -1;
    }
    return 0;
}
