/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfshelperlimits.h: the bounds of virt-proxyfs-helper's command line
 * that the programs starting it (the QEMU driver, the benchmark) check
 * before they start it
 */
#pragma once

#include "pfsinternal.h"

/* The bound on --busy-poll (microseconds), which the QEMU driver also
 * checks in qemu.conf: a helper spinning longer than a millisecond
 * between requests would cost more CPU than any wake-up it saves. */
#define PFS_HELPER_BUSY_POLL_MAX_US 1000
