/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_proxyfs.h: starting and stopping the proxy helper of a filesystem
 */
#pragma once

#include "pfsinternal.h"

#include <sys/types.h>

#include "domain_conf.h"
#include "qemu_conf.h"

typedef struct _qemuProxyfsHelper qemuProxyfsHelper;
struct _qemuProxyfsHelper {
    char *alias;        /* the filesystem's alias, e.g. "fs0" */
    pid_t pid;          /* 0 once stopped */
    int qemuFD;         /* QEMU's end of the socketpair, until handed over */
    char *pidFile;
    char *logFile;
};

/* Start the helper of proxy filesystem @fs of @def: a socketpair, the
 * helper exec'ed as root with only the capabilities its start-up needs,
 * and its report on --ready-fd. When this returns 0 the helper serves
 * and helper->qemuFD is the end to give QEMU; pid and log files live in
 * @stateDir and cfg->logDir. Returns 0, or -1 with an error naming the
 * filesystem (and nothing left running or on disk). */
int qemuProxyfsStart(const qemuDriverConfig *cfg,
                     const pfsDomainDef *def,
                     const pfsDomainFSDef *fs,
                     const char *stateDir,
                     qemuProxyfsHelper **helper);

/* Close QEMU's end once QEMU holds it: otherwise the helper would never
 * see the end of the connection. */
void qemuProxyfsHandedOver(qemuProxyfsHelper *helper);

/* Stop the helper: it normally exits by itself when QEMU closes the
 * connection; after @graceMs it is terminated. Removes its pid file and
 * frees @helper. Says how it ended in *@status when not NULL. */
void qemuProxyfsStop(qemuProxyfsHelper *helper, int graceMs, int *status);

/* The capabilities the helper is started with: what its confinement
 * needs, and the runtime set it keeps. */
guint64 qemuProxyfsStartCaps(void);
