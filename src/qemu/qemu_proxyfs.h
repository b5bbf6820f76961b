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

/* A share that QEMU reaches through a named socket instead of an
 * inherited end of a socketpair (libvirt's hook, which cannot hand QEMU
 * a descriptor). */
typedef struct _qemuProxyfsSocketShare qemuProxyfsSocketShare;
struct _qemuProxyfsSocketShare {
    const char *alias;          /* the filesystem's alias */
    const char *target;         /* its mount tag, for messages */
    const char *source;         /* the export */
    bool readonly;
    const char *socketPath;
    uid_t uid;                  /* QEMU's user and group: the socket's */
    gid_t gid;                  /* owner, and the only peer served */
};

/* Start cfg->helper for @share as qemuProxyfsStart() does, but in
 * socket mode (--socket, --uid, --gid), with @pidFile and @logFile.
 * When this returns 0 the socket listens. Returns 0, or -1 with an
 * error naming the filesystem (and nothing left running; the helper
 * removes its socket). */
int qemuProxyfsStartSocket(const qemuDriverConfig *cfg,
                           const qemuProxyfsSocketShare *share,
                           const char *pidFile,
                           const char *logFile,
                           qemuProxyfsHelper **helper);

/* Free @helper and leave its process running: libvirt's hook exits
 * while the helper serves on. */
void qemuProxyfsForget(qemuProxyfsHelper *helper);

/* Close QEMU's end once QEMU holds it: otherwise the helper would never
 * see the end of the connection. */
void qemuProxyfsHandedOver(qemuProxyfsHelper *helper);

/* Stop the helper: it normally exits by itself when QEMU closes the
 * connection; after @graceMs it is terminated. Removes its pid file and
 * frees @helper. Says how it ended in *@status when not NULL. */
void qemuProxyfsStop(qemuProxyfsHelper *helper, int graceMs, int *status);
