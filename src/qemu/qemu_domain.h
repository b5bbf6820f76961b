/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_domain.h: getting a parsed definition ready for QEMU
 */
#pragma once

#include "pfsinternal.h"
#include "domain_conf.h"

/* Validate @def for QEMU 7.2, then fill in what the command line
 * needs: effective boot indexes, device aliases and PCI addresses. */
int qemuDomainPrepare(pfsDomainDef *def);
