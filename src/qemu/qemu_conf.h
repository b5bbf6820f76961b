/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_conf.h: the QEMU driver's configuration (qemu.conf)
 */
#pragma once

#include "pfsinternal.h"

#include <sys/types.h>

typedef struct _qemuDriverConfig qemuDriverConfig;
struct _qemuDriverConfig {
    char *configFile;           /* where it was read from */

    char *user;                 /* QEMU runs as this user and group */
    char *group;
    char *helper;               /* virt-proxyfs-helper */
    char *helperUser;           /* the helper serves as this user and group */
    char *helperGroup;
    char *emulator;             /* when the domain has no <emulator> */
    char *stateDir;             /* per-domain pid files and sockets */
    char *logDir;               /* QEMU's and the helpers' output */
    char *libDir;               /* per-domain private directories (HOME) */
    unsigned int shutdownTimeout;       /* seconds for a guest to power off */
    unsigned int helperStartTimeout;    /* seconds for a helper to be ready */
    unsigned int helperBusyPoll;        /* the helpers' --busy-poll, microseconds */

    /* the QEMU user of a stock libvirtd, for the hook (src/libvirt),
     * from libvirt's qemu.conf unless set here */
    char *libvirtQemuConf;
    char *libvirtUser;
    char *libvirtGroup;

    /* the users and groups above, looked up */
    uid_t uid;
    gid_t gid;
    uid_t libvirtUid;           /* by pfsLibvirtConfigLoad() */
    gid_t libvirtGid;
};

/* The configuration with its built-in defaults. */
qemuDriverConfig *qemuDriverConfigNew(void);
void qemuDriverConfigFree(qemuDriverConfig *cfg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qemuDriverConfig, qemuDriverConfigFree);

/* The default configuration file. */
const char *qemuDriverConfigDefaultPath(void);

/* Read @path (NULL: the default file, which may be missing; a file that
 * is named must exist) over the defaults, then look up the users and
 * groups. Returns 0, or -1 with an error naming what is wrong. */
int qemuDriverConfigLoad(qemuDriverConfig *cfg, const char *path);

/* Read @path (as qemuDriverConfigLoad) and look up only the helper's
 * user and group: for a QEMU that someone else runs (src/libvirt). */
int qemuDriverConfigLoadHelper(qemuDriverConfig *cfg, const char *path);
