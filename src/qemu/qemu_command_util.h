/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_command_util.h: pieces every device builder uses
 */
#pragma once

#include "pfsinternal.h"
#include "pfscmdline.h"
#include "pfsjson.h"
#include "domain_conf.h"

/* Append bus/addr (and multifunction) of a PCI device. */
void qemuBuildDeviceAddressProps(pfsJSONObject *props,
                                 const pfsDomainDeviceInfo *info);

/* Add "-device <json>"; @props stays the caller's. */
void qemuBuildDeviceCommandLineFromJSON(pfsCmdline *cmd,
                                        const pfsJSONObject *props);

/* Append @str with every ',' doubled, as QEMU's option parser wants. */
void qemuBuildBufferEscapeComma(GString *buf, const char *str);
