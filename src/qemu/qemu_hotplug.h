/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_hotplug.h: which devices may be added to a running domain
 */
#pragma once

#include "pfsinternal.h"
#include "domain_conf.h"

/* Check whether @fs could be attached to a running domain; reports why
 * not and returns -1 for every 9p driver, proxy included. */
int qemuDomainFSHotplugValidate(const pfsDomainFSDef *fs);
