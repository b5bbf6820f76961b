/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfserror.h: reporting an error once, where it happens
 *
 * A function that fails reports the reason with pfsReportError() or
 * pfsReportSystemError() and returns -1; its callers just return -1 too.
 * The outermost caller shows pfsErrorLastMessage() to the user.
 */
#pragma once

#include "pfsinternal.h"

void pfsErrorReportFull(int errnum,
                        const char *funcname,
                        int linenr,
                        const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

#define pfsReportError(...) \
    pfsErrorReportFull(0, __func__, __LINE__, __VA_ARGS__)

#define pfsReportSystemError(errnum, ...) \
    pfsErrorReportFull(errnum, __func__, __LINE__, __VA_ARGS__)

/* The message of the last reported error, or NULL when there is none. */
const char *pfsErrorLastMessage(void);

/* The errno given with the last reported error, or 0. */
int pfsErrorLastErrno(void);

void pfsErrorReset(void);
