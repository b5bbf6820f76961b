/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxyfs_sandbox.h: confining the helper before it serves
 */
#pragma once

#include "pfsinternal.h"

#include <sys/types.h>

#include "proxyfs_export.h"

typedef struct _pfsSandboxConfig pfsSandboxConfig;
struct _pfsSandboxConfig {
    const char *exportPath;
    uid_t uid;              /* the helper's own, non-root identity */
    gid_t gid;
    bool readonly;          /* mount the export read-only as well */
    bool allowDevices;      /* keep CAP_MKNOD */
    unsigned int maxFiles;  /* RLIMIT_NOFILE */
    int listenfd;           /* socket mode: the socket to accept on, or -1 */
};

/* The first steps, before anything is opened: refuse to go on with more
 * than one thread, close every inherited fd but stdio and @keep, and set
 * the resource limits. Returns 0, or -1 with an error reported. */
int pfsSandboxPrepare(const int *keep, size_t nkeep, unsigned int maxFiles);

/* Confine the process to the export opened in @exp: private mount, net,
 * IPC and UTS namespaces; the export bind-mounted (nosuid, nodev, noexec)
 * and made the root with pivot_root; the host's root detached; then the
 * non-root identity with only the runtime capabilities, not dumpable, no
 * new privileges, the seccomp filter, and a final check of all of it in
 * /proc/self/status. @exp is updated (new root fd, no /proc fd). Returns
 * 0, or -1 with an error reported: the caller must not serve. */
int pfsSandboxEnter(pfsProxyExport *exp, const pfsSandboxConfig *cfg);
