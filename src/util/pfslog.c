/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfslog.c: logging to stderr or to syslog (the journal), by level
 *
 * Only the process's own thread logs, so there is no locking.  A message
 * is formatted into a fixed buffer: logging must work when memory is
 * short and must never allocate on the helper's request path.
 */
#include "pfsinternal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <unistd.h>

#include "pfslog.h"

PFS_ENUM_IMPL(pfsLogPriority, PFS_LOG_LAST,
              "debug", "info", "warning", "error");

static const char *logIdent = PACKAGE;
static pfsLogOutput logOutput = PFS_LOG_TO_STDERR;
static pfsLogPriority logThreshold = PFS_LOG_INFO;


void
pfsLogSetup(const char *ident,
            pfsLogOutput output,
            pfsLogPriority threshold)
{
    if (logOutput == PFS_LOG_TO_SYSLOG)
        closelog();

    logIdent = ident;
    logOutput = output;
    logThreshold = threshold;

    if (output == PFS_LOG_TO_SYSLOG)
        openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}


pfsLogPriority
pfsLogGetThreshold(void)
{
    return logThreshold;
}


bool
pfsLogEnabled(pfsLogPriority priority)
{
    return priority >= logThreshold;
}


static int
pfsLogPriorityToSyslog(pfsLogPriority priority)
{
    switch (priority) {
    case PFS_LOG_DEBUG:
        return LOG_DEBUG;
    case PFS_LOG_INFO:
        return LOG_INFO;
    case PFS_LOG_WARNING:
        return LOG_WARNING;
    case PFS_LOG_ERROR:
    case PFS_LOG_LAST:
    default:
        return LOG_ERR;
    }
}


void
pfsLogMessage(pfsLogPriority priority,
              const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    int saved_errno = errno;

    if (!pfsLogEnabled(priority))
        return;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);

    switch (logOutput) {
    case PFS_LOG_TO_SYSLOG:
        syslog(pfsLogPriorityToSyslog(priority), "%s", msg);
        break;
    case PFS_LOG_TO_STDERR:
    case PFS_LOG_OUTPUT_LAST:
    default:
        fprintf(stderr, "%s[%ld]: %s: %s\n", logIdent, (long)getpid(),
                pfsLogPriorityTypeToString(priority), msg);
        break;
    }

    errno = saved_errno;
}
