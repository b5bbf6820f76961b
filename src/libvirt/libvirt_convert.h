/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvirt_convert.h: proxy shares in a stock libvirtd's domain XML
 *
 * A stock libvirtd refuses <driver type='proxy'/>. For it, each proxy
 * <filesystem> leaves <devices> and is kept in <metadata> (in the
 * project's namespace, with what the libvirt hook needs to start its
 * helper; libvirt_share.h), and QEMU gets the matching -fsdev
 * proxy,socket=... and virtio-9p -device through <qemu:commandline>,
 * built by the QEMU driver's own builder (qemu_command_fs.h). Restoring puts the
 * filesystems back and removes the generated arguments, so that the
 * user sees the domain as written.
 */
#pragma once

#include "pfsinternal.h"

#include <libxml/tree.h>

#include "libvirt_share.h"

/* our IDs on QEMU's command line, so that restoring finds them */
#define PFS_LIBVIRT_FSDEV_PREFIX "pfs-"
#define PFS_LIBVIRT_DEVICE_PREFIX "pfs-dev-"

/* Convert domain @doc in place. @socketBase is the directory under
 * which each domain gets its sockets (<socketBase>/<name>/<alias>.sock).
 * The proxy filesystems are checked as 'virt-proxyfs validate' would.
 * A domain converted before is first restored, so converting again is
 * idempotent. Returns the number of proxy filesystems, or -1 with an
 * error reported. */
int pfsLibvirtConvert(xmlDoc *doc, const char *socketBase);

/* Undo pfsLibvirtConvert() on @doc in place. Returns 0 or -1. */
int pfsLibvirtRestore(xmlDoc *doc);

/* The whole document as text. */
char *pfsLibvirtFormat(xmlDoc *doc);
