/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_domain_address.h: PCI slots on the i440fx root bus
 */
#pragma once

#include "pfsinternal.h"
#include "domain_conf.h"

/* Check the PCI addresses the user gave, then give every PCI device
 * without one the next free slot, in libvirt's device order. */
int qemuDomainAssignPCIAddresses(pfsDomainDef *def);
