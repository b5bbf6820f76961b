/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvirt_conf.h: where the hook bridge keeps its files, and whom a
 * stock libvirtd runs QEMU as
 */
#pragma once

#include "pfsinternal.h"
#include "qemu_conf.h"

/* Where the hook keeps, for domain NAME, the helpers' sockets and pid
 * files (RUN_DIR/NAME/ALIAS.sock, .pid) and their output
 * (LOG_DIR/NAME-ALIAS.log). 'virt-proxyfs define' writes the same
 * socket paths into the domain. */
#define PFS_LIBVIRT_RUN_DIR PFS_LOCALSTATEDIR "/run/" PACKAGE "/libvirt"
#define PFS_LIBVIRT_LOG_DIR PFS_LOCALSTATEDIR "/log/" PACKAGE "/libvirt"

/* For the hook, which needs neither our QEMU user nor the emulator:
 * read @path (as qemuDriverConfigLoad) and look up the helper's user
 * and group, then the user and group a stock libvirtd runs QEMU as into
 * cfg->libvirtUid and libvirtGid: 'libvirt_user' and 'libvirt_group' of
 * our file, else 'user' and 'group' of libvirt's qemu.conf
 * ('libvirt_qemu_conf', which may be missing), else libvirt-qemu; "+N"
 * is a number, as in libvirt. Root is refused. Returns 0, or -1 with an
 * error naming the file the user came from. */
int pfsLibvirtConfigLoad(qemuDriverConfig *cfg, const char *path);

/* A user (@isUser) or group as libvirt writes it in qemu.conf and in DAC
 * labels: a name, or "+N" for the number N. @what says where it came
 * from, for the error. Returns 0 with *@id set, or -1. */
int pfsLibvirtIdLookup(const char *value, bool isUser,
                       const char *what, unsigned int *id);
