/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfserror.c: reporting an error once, where it happens
 */
#include "pfsinternal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pfserror.h"
#include "pfslog.h"

static char lastMessage[1024];
static int lastErrno;
static bool haveError;


void
pfsErrorReportFull(int errnum,
                   const char *funcname,
                   int linenr,
                   const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    int saved_errno = errno;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);

    if (errnum != 0)
        snprintf(lastMessage, sizeof(lastMessage), "%s: %s",
                 msg, g_strerror(errnum));
    else
        snprintf(lastMessage, sizeof(lastMessage), "%s", msg);
    lastErrno = errnum;
    haveError = true;

    PFS_DEBUG("error reported at %s:%d: %s", funcname, linenr, lastMessage);
    errno = saved_errno;
}


const char *
pfsErrorLastMessage(void)
{
    return haveError ? lastMessage : NULL;
}


int
pfsErrorLastErrno(void)
{
    return haveError ? lastErrno : 0;
}


void
pfsErrorReset(void)
{
    haveError = false;
    lastErrno = 0;
    lastMessage[0] = '\0';
}
