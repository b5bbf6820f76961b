/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_command_devices.h: disks, controllers, network cards, serial
 * ports and the balloon on QEMU's command line
 */
#pragma once

#include "pfsinternal.h"
#include "pfscmdline.h"
#include "domain_conf.h"

void qemuBuildControllersCommandLine(pfsCmdline *cmd, const pfsDomainDef *def);
void qemuBuildDisksCommandLine(pfsCmdline *cmd, const pfsDomainDef *def);
void qemuBuildNetsCommandLine(pfsCmdline *cmd, const pfsDomainDef *def);
void qemuBuildSerialsCommandLine(pfsCmdline *cmd, const pfsDomainDef *def);
void qemuBuildMemballoonCommandLine(pfsCmdline *cmd, const pfsDomainDef *def);
