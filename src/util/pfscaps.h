/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfscaps.h: narrowing a process's capabilities with libcap-ng
 */
#pragma once

#include "pfsinternal.h"

#include <stddef.h>
#include <sys/types.h>

/* Become @uid:@gid with no supplementary groups, keeping exactly @caps
 * as effective and permitted capabilities: inheritable and ambient sets
 * empty, bounding set empty, and the securebits NOROOT, NO_SETUID_FIXUP,
 * KEEP_CAPS and NO_CAP_AMBIENT_RAISE set and locked, so that no uid
 * change or execve() can ever give capabilities back. Needs CAP_SETUID,
 * CAP_SETGID and CAP_SETPCAP. Returns 0, or -1 with an error reported:
 * callers must not go on. */
int pfsCapsSwitchUser(uid_t uid, gid_t gid, const int *caps, size_t ncaps);

/* The effective capability mask of this process (bit n = capability n). */
int pfsCapsGetEffective(guint64 *mask);

/* virt-proxyfs-helper's capabilities, listed once for the helper, which
 * confines itself to them, and for its launchers, which grant them. */

/* The ones it serves with (CAP_* numbers): CAP_CHOWN, CAP_DAC_OVERRIDE,
 * CAP_FOWNER, CAP_FSETID, and CAP_MKNOD when @allowDevices
 * (--allow-device-nodes). Sets *@ncaps. */
const int *pfsCapsHelperServing(bool allowDevices, size_t *ncaps);

/* Those as a mask (bit n = capability n). */
guint64 pfsCapsHelperServingMask(bool allowDevices);

/* What to start it with, as root: those, and what it needs only to
 * confine itself (CAP_SYS_ADMIN for its namespaces, mounts and
 * pivot_root; CAP_SETUID, CAP_SETGID and CAP_SETPCAP for
 * pfsCapsSwitchUser()), nothing else. */
guint64 pfsCapsHelperStartMask(bool allowDevices);
