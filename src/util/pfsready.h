/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfsready.h: a process's report to its launcher on how its start went
 *
 * A process started in the background tells whoever waits for it, on a
 * pipe, how its start-up went: "0" once it is ready (a message for the
 * launcher may follow), or "1" followed by the reason it could not
 * start; then it closes the pipe. A pipe that ends with nothing said
 * means the process died first. virt-proxyfs-helper reports so on
 * --ready-fd and to the parent of its own daemonizing, and
 * 'virt-proxyfs --daemon start' to the command that launched it.
 */
#pragma once

#include "pfsinternal.h"

#include <sys/types.h>

typedef enum {
    PFS_READY_OK = 0,       /* "0": ready */
    PFS_READY_FAILED,       /* "1": could not start, and says why */
    PFS_READY_NO_REPORT,    /* the pipe ended, or held no report */
    PFS_READY_TIMEOUT,      /* nothing came in the time given */

    PFS_READY_LAST
} pfsReadyResult;

/* Report on *@fd, then close it and set it to -1 (nothing when it is -1
 * already): "0" and @msg when @ok, else "1" and @msg (NULL: nothing
 * follows), in one write(), which a pipe delivers whole up to PIPE_BUF
 * bytes. A failed write is only logged. Calls nothing but malloc(),
 * write() and close() (and logging on failure), so it is fit for the
 * helper under its seccomp filter. */
void pfsReadyNotify(int *fd, bool ok, const char *msg);

/* Wait up to @timeoutMs (-1: as long as it takes) for the report on
 * @fd, which stays open. A report of up to PIPE_BUF bytes is taken from
 * the first read, without waiting for the end of the pipe: a wrapper
 * (strace) holding a copy of the write end delays nothing. Returns the
 * result, with *@msg (optional) set to what follows the "0" or "1"
 * (NULL for the other results), or -1 with an error reported when @fd
 * cannot be read. */
int pfsReadyWait(int fd, int timeoutMs, char **msg);

/* Go to the background like daemon(3), with a report: fork; the child
 * starts a session of its own, changes to "/" unless @nochdir, points
 * stdin, stdout and stderr at /dev/null, and gets in *@fd the end to
 * pfsReadyNotify() on; the parent gets in *@fd the end to pfsReadyWait()
 * on. Returns the child's pid in the parent, 0 in the child, or -1 with
 * an error reported (a child that fails has also reported it on the
 * pipe). */
pid_t pfsReadyDaemonize(bool nochdir, int *fd);
