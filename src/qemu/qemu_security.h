/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_security.h: the files QEMU opens, made openable by its user
 */
#pragma once

#include "pfsinternal.h"

#include "domain_conf.h"
#include "qemu_conf.h"

/* What was changed, to be restored. */
typedef struct _qemuSecurityLabels qemuSecurityLabels;

/* Before QEMU starts as cfg->uid:cfg->gid: every file a <serial
 * type='file'> names is created (when missing) and given to QEMU's user,
 * but only in a directory that only root can change (else it is left as
 * it is); then every path QEMU will open (those files; the kernel, the
 * initrd and the disks) is checked as QEMU's user, with the access QEMU
 * needs. Returns what to restore (possibly nothing), or NULL with an
 * error naming the path QEMU's user cannot open, and nothing changed. */
qemuSecurityLabels *qemuSecuritySetAll(const qemuDriverConfig *cfg,
                                       const pfsDomainDef *def);

/* Once QEMU is gone: give the files back to their owners (root's, for
 * those the driver created; removed instead with @removeCreated, when
 * QEMU never ran), and free @labels. */
void qemuSecurityRestoreAll(qemuSecurityLabels *labels, bool removeCreated);
