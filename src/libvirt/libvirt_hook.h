/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvirt_hook.h: what libvirt's QEMU hook does for proxy shares
 */
#pragma once

#include "pfsinternal.h"

typedef enum {
    PFS_LIBVIRT_HOOK_NOTHING,
    PFS_LIBVIRT_HOOK_PREPARE,   /* start the domain's helpers */
    PFS_LIBVIRT_HOOK_STOP,      /* stop them, remove their sockets */

    PFS_LIBVIRT_HOOK_LAST
} pfsLibvirtHookAction;

/* Where the hook works: PFS_LIBVIRT_RUN_DIR and PFS_LIBVIRT_LOG_DIR
 * (libvirt_conf.h) and our qemu.conf (NULL: the default), or a test's
 * own. Every directory in them must be writable by root only. */
typedef struct _pfsLibvirtHookDirs pfsLibvirtHookDirs;
struct _pfsLibvirtHookDirs {
    const char *runDir;
    const char *logDir;
    const char *config;
};

/* What libvirtd's OPERATION @op, SUBOPERATION @subop asks of us. */
pfsLibvirtHookAction pfsLibvirtHookActionFor(const char *op, const char *subop);

/* Start a helper for each proxy share of domain @name, whose XML is
 * @xml, and return once all listen; on failure stop those started and
 * remove what was created. Returns 0, or -1 with the first error
 * reported. */
int pfsLibvirtHookPrepare(const pfsLibvirtHookDirs *dirs, const char *name,
                          const char *xml);

/* Stop the helpers of domain @name and remove its directory; nothing
 * there is nothing to do. Returns 0 or -1. */
int pfsLibvirtHookStop(const pfsLibvirtHookDirs *dirs, const char *name);
