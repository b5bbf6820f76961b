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

/* as long as it needs to be: a message may carry QEMU's own lines */
static char *lastMessage;
static int lastErrno;
static bool haveError;


void
pfsErrorReportFull(int errnum,
                   const char *funcname,
                   int linenr,
                   const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;
    int saved_errno = errno;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);

    g_free(lastMessage);
    if (errnum != 0)
        lastMessage = g_strdup_printf("%s: %s", msg, g_strerror(errnum));
    else
        lastMessage = g_steal_pointer(&msg);
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
    g_clear_pointer(&lastMessage, g_free);
}
