/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfslog.h: logging to stderr or to syslog (the journal), by level
 */
#pragma once

#include "pfsinternal.h"
#include "pfsenum.h"

typedef enum {
    PFS_LOG_DEBUG = 0,
    PFS_LOG_INFO,
    PFS_LOG_WARNING,
    PFS_LOG_ERROR,

    PFS_LOG_LAST
} pfsLogPriority;

PFS_ENUM_DECL(pfsLogPriority);

typedef enum {
    PFS_LOG_TO_STDERR = 0,
    PFS_LOG_TO_SYSLOG,

    PFS_LOG_OUTPUT_LAST
} pfsLogOutput;

void pfsLogSetup(const char *ident,
                 pfsLogOutput output,
                 pfsLogPriority threshold);
pfsLogPriority pfsLogGetThreshold(void);
bool pfsLogEnabled(pfsLogPriority priority);

void pfsLogMessage(pfsLogPriority priority,
                   const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

#define PFS_DEBUG(...) \
    do { \
        if (pfsLogEnabled(PFS_LOG_DEBUG)) \
            pfsLogMessage(PFS_LOG_DEBUG, __VA_ARGS__); \
    } while (0)
#define PFS_INFO(...) pfsLogMessage(PFS_LOG_INFO, __VA_ARGS__)
#define PFS_WARN(...) pfsLogMessage(PFS_LOG_WARNING, __VA_ARGS__)
#define PFS_ERROR(...) pfsLogMessage(PFS_LOG_ERROR, __VA_ARGS__)
