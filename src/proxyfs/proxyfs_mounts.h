/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxyfs_mounts.h: kernel pseudo-filesystems inside an export
 *
 * proc, sysfs, devtmpfs and their kind are interfaces to the kernel and
 * to other processes, not storage: a chmod there changes a host-global
 * tunable or device, an open of /proc/self/mem is the helper's memory.
 * The helper never serves them: it refuses an export on one, and the
 * sandbox detaches every such mount inside the export before serving.
 */
#pragma once

#include "pfsinternal.h"

/* The name of the kernel pseudo-filesystem with statfs magic @magic or
 * with the kernel's type name @fstype (may be NULL; the only way to tell
 * devtmpfs, which statfs calls a tmpfs); NULL when it is none of them. */
const char *pfsMountsPseudoFsName(unsigned long magic, const char *fstype);

/* In the sandbox's private mount namespace, once @rootfd is the root:
 * detach every mount of a kernel pseudo-filesystem, logging a warning
 * for each. @procfd is an fd of this process's /proc/<pid>/fd, the way
 * to read our mount table and to name a mount by the fd that was
 * checked. A pseudo-filesystem mount that cannot be reached to be
 * detached (hidden under another mount) is an error: the caller must
 * not serve. Returns the number of mounts detached, or -1 with an error
 * reported. */
int pfsMountsDetachPseudo(int rootfd, int procfd);
