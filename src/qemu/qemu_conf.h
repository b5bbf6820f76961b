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

    /* libvirt's hook (virt-proxyfs-hook): the QEMU user of a stock
     * libvirtd, from libvirt's qemu.conf unless set here */
    char *libvirtQemuConf;
    char *libvirtUser;
    char *libvirtGroup;

    /* the users and groups above, looked up */
    uid_t uid;
    gid_t gid;
    uid_t libvirtUid;           /* by qemuDriverConfigLoadForLibvirt() */
    gid_t libvirtGid;
};

/* Where libvirt's hook keeps, for domain NAME, the helpers' sockets and
 * pid files (RUN_DIR/NAME/ALIAS.sock, .pid) and their output
 * (LOG_DIR/NAME-ALIAS.log). 'virt-proxyfs define' writes the same
 * socket paths into the domain. */
#define QEMU_LIBVIRT_RUN_DIR PFS_LOCALSTATEDIR "/run/" PACKAGE "/libvirt"
#define QEMU_LIBVIRT_LOG_DIR PFS_LOCALSTATEDIR "/log/" PACKAGE "/libvirt"

/* libvirt's own configuration on Debian, and the user it runs QEMU as
 * when that file does not say */
#define QEMU_LIBVIRT_DEFAULT_CONF "/etc/libvirt/qemu.conf"
#define QEMU_LIBVIRT_DEFAULT_USER "libvirt-qemu"

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

/* For libvirt's hook, which needs neither our QEMU user nor the
 * emulator: read @path (as qemuDriverConfigLoad) and look up the
 * helper's user and group, then the user and group a stock libvirtd
 * runs QEMU as: 'libvirt_user' and 'libvirt_group' of our file, else
 * 'user' and 'group' of libvirt's qemu.conf ('libvirt_qemu_conf',
 * which may be missing), else libvirt-qemu; "+N" is a number, as in
 * libvirt. Root is refused. Returns 0, or -1 with an error naming the
 * file the user came from. */
int qemuDriverConfigLoadForLibvirt(qemuDriverConfig *cfg, const char *path);

/* A user (@isUser) or group as libvirt writes it in qemu.conf and in DAC
 * labels: a name, or "+N" for the number N. @what says where it came
 * from, for the error. Returns 0 with *@id set, or -1. */
int qemuLibvirtIdLookup(const char *value, bool isUser,
                        const char *what, unsigned int *id);
