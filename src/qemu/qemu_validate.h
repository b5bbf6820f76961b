/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_validate.h: what QEMU 7.2 on an i440fx x86_64 machine can run
 */
#pragma once

#include "pfsinternal.h"
#include "domain_conf.h"

int qemuValidateDomainDeviceDefFS(const pfsDomainFSDef *fs);
int qemuValidateDomainDef(const pfsDomainDef *def);

/* The guest-visible position of an IDE or SATA disk: from its drive
 * address when it has one, else from its target name. */
int qemuDomainDiskGetDriveAddress(const pfsDomainDiskDef *disk,
                                  unsigned int *bus,
                                  unsigned int *unit);

/* The index of a disk target name: vda -> 0, vdz -> 25, vdaa -> 26. */
int qemuDomainDiskNameToIndex(const char *name, const char *prefix);
