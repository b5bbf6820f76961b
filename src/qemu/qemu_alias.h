/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_alias.h: QEMU ids ("fs0", "virtio-disk0", ...) for every device
 */
#pragma once

#include "pfsinternal.h"
#include "domain_conf.h"

/* Give every device without a user alias the alias libvirt would. */
void qemuAssignDeviceAliases(pfsDomainDef *def);

/* The -fsdev id of a filesystem: "fsdev-" + alias. */
#define QEMU_FSDEV_HOST_PREFIX "fsdev-"
