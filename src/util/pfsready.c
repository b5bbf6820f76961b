/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfsready.c: a process's report to its launcher on how its start went
 */
#include "pfsinternal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "pfserror.h"
#include "pfsfile.h"
#include "pfslog.h"
#include "pfsready.h"


void
pfsReadyNotify(int *fd, bool ok, const char *msg)
{
    g_autofree char *report = NULL;

    if (*fd < 0)
        return;
    /* one write(): up to PIPE_BUF bytes, a pipe delivers it whole */
    report = g_strconcat(ok ? "0" : "1", msg, NULL);
    if (pfsSafeWrite(*fd, report, strlen(report)) < 0)
        PFS_WARN(_("cannot report how start-up went: %s"), g_strerror(errno));
    pfsForceClose(fd);
}


/* Wait until @fd can be read or @deadline (-1: never) has passed.
 * Returns 1, 0 when it passed, -1 with an error reported. */
static int
pfsReadyPoll(int fd, gint64 deadline)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };

    for (;;) {
        gint64 left = deadline - g_get_monotonic_time();
        int r = poll(&pfd, 1, deadline < 0 ? -1 : (int)MIN((MAX(left, 0) + 999) / 1000, G_MAXINT));

        if (r > 0)
            return 1;
        if (r < 0 && errno != EINTR) {
            pfsReportSystemError(errno, "%s", _("cannot wait for the start-up report"));
            return -1;
        }
        if (deadline >= 0 && g_get_monotonic_time() >= deadline)
            return 0;
    }
}


int
pfsReadyWait(int fd, int timeoutMs, char **msg)
{
    gint64 deadline = timeoutMs < 0 ? -1 : g_get_monotonic_time() + (gint64)timeoutMs * 1000;
    g_autoptr(GString) report = g_string_new(NULL);
    char buf[PIPE_BUF];
    ssize_t n;
    int r;

    if (msg)
        *msg = NULL;
    /* A report of up to PIPE_BUF bytes comes whole in the first read, so
     * a wrapper holding a copy of the write end delays nothing; a read
     * that fills the buffer may be part of a longer one, read on to its
     * end. */
    do {
        if ((r = pfsReadyPoll(fd, deadline)) <= 0)
            return r < 0 ? -1 : PFS_READY_TIMEOUT;
        while ((n = read(fd, buf, sizeof(buf))) < 0 && errno == EINTR)
            ;
        if (n < 0) {
            pfsReportSystemError(errno, "%s", _("cannot read the start-up report"));
            return -1;
        }
        g_string_append_len(report, buf, n);
    } while (n == sizeof(buf));

    if (report->len == 0 || (report->str[0] != '0' && report->str[0] != '1'))
        return PFS_READY_NO_REPORT;
    if (msg)
        *msg = g_strdup(report->str + 1);
    return report->str[0] == '0' ? PFS_READY_OK : PFS_READY_FAILED;
}


pid_t
pfsReadyDaemonize(bool nochdir, int *fd)
{
    int pipefd[2];
    int nullfd;
    pid_t pid;

    if (pipe2(pipefd, O_CLOEXEC) < 0) {
        pfsReportSystemError(errno, "%s", _("cannot create a pipe"));
        return -1;
    }
    if ((pid = fork()) < 0) {
        pfsReportSystemError(errno, "%s", _("cannot fork"));
        close(pipefd[0]);
        close(pipefd[1]);
        return -1;
    }
    if (pid > 0) {
        close(pipefd[1]);
        *fd = pipefd[0];
        return pid;
    }

    close(pipefd[0]);
    *fd = pipefd[1];
    if (setsid() < 0) {
        pfsReportSystemError(errno, "%s", _("cannot start a new session"));
        pfsReadyNotify(fd, false, pfsErrorLastMessage());
        return -1;
    }
    if (!nochdir && chdir("/") < 0) {
        pfsReportSystemError(errno, "%s", _("cannot change to the root directory"));
        pfsReadyNotify(fd, false, pfsErrorLastMessage());
        return -1;
    }
    if ((nullfd = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0) {
        dup2(nullfd, STDIN_FILENO);
        dup2(nullfd, STDOUT_FILENO);
        dup2(nullfd, STDERR_FILENO);
        if (nullfd > STDERR_FILENO)
            close(nullfd);
    }
    return 0;
}
