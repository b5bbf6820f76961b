/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfspidfile.c: pid files in root's private directories
 */
#include "pfsinternal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pfserror.h"
#include "pfsfile.h"
#include "pfslog.h"
#include "pfspidfile.h"


int
pfsPidFileWrite(const char *path, pid_t pid)
{
    g_autofree char *tmp = g_strdup_printf("%s.XXXXXX", path);
    g_autofree char *content = g_strdup_printf("%lld\n", (long long)pid);
    PFS_AUTOCLOSE fd = -1;
    int r;

    if ((fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0644)) < 0) {
        pfsReportSystemError(errno, _("cannot create a temporary file for pid file '%s'"),
                             path);
        return -1;
    }
    if (fchmod(fd, 0644) < 0 ||
        pfsSafeWrite(fd, content, strlen(content)) < 0) {
        pfsReportSystemError(errno, _("cannot write pid file '%s'"), path);
        unlink(tmp);
        return -1;
    }
    r = close(fd);
    fd = -1;
    if (r < 0 && errno != EINTR) {
        pfsReportSystemError(errno, _("cannot write pid file '%s'"), path);
        unlink(tmp);
        return -1;
    }
    /* a symlink at @path is replaced, never followed */
    if (rename(tmp, path) < 0) {
        pfsReportSystemError(errno, _("cannot rename '%s' to pid file '%s'"), tmp, path);
        unlink(tmp);
        return -1;
    }
    return 0;
}


int
pfsPidFileRead(const char *path, pid_t *pid)
{
    PFS_AUTOCLOSE fd = -1;
    char buf[32];
    struct stat st;
    guint64 num;
    ssize_t n;

    *pid = 0;
    /* O_NONBLOCK: a FIFO in its place must not hang us */
    if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0) {
        if (errno == ENOENT)
            return 0;
        pfsReportSystemError(errno, _("cannot open pid file '%s'"), path);
        return -1;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        pfsReportError(_("pid file '%s' is not a regular file"), path);
        return -1;
    }
    if ((n = pfsSafeRead(fd, buf, sizeof(buf) - 1)) < 0) {
        pfsReportSystemError(errno, _("cannot read pid file '%s'"), path);
        return -1;
    }
    buf[n] = '\0';
    if (!g_ascii_string_to_unsigned(g_strstrip(buf), 10, 1, G_MAXINT, &num, NULL)) {
        pfsReportError(_("pid file '%s' holds no pid"), path);
        return -1;
    }
    *pid = (pid_t)num;
    return 1;
}


int
pfsPidFileReadIfAlive(const char *path, const char *binary, pid_t *pid)
{
    g_autofree char *exe = NULL;
    struct stat want;
    struct stat have;
    int r;

    if ((r = pfsPidFileRead(path, pid)) <= 0)
        return r;
    if (!binary) {
        if (kill(*pid, 0) == 0 || errno == EPERM)
            return 1;
    } else {
        exe = g_strdup_printf("/proc/%lld/exe", (long long)*pid);
        if (stat(binary, &want) == 0 && stat(exe, &have) == 0 &&
            want.st_dev == have.st_dev && want.st_ino == have.st_ino)
            return 1;
    }
    *pid = 0;
    return 0;
}


void
pfsPidFileDelete(const char *path)
{
    if (unlink(path) < 0 && errno != ENOENT)
        PFS_WARN(_("cannot remove pid file '%s': %s"), path, g_strerror(errno));
}
