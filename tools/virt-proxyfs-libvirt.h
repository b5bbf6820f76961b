/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * virt-proxyfs-libvirt.h: proxy shares in a stock libvirtd's domain XML
 *
 * A stock libvirtd refuses <driver type='proxy'/>. For it, each proxy
 * <filesystem> leaves <devices> and is kept in <metadata> (in the
 * project's namespace, with what the libvirt hook needs to start its
 * helper), and QEMU gets the matching -fsdev proxy,socket=... and
 * virtio-9p-pci -device through <qemu:commandline>. Restoring puts the
 * filesystems back and removes the generated arguments, so that the
 * user sees the domain as written.
 */
#pragma once

#include "pfsinternal.h"

#include <libxml/tree.h>

#define PFS_LIBVIRT_NS "https://virt-proxyfs.org/xmlns/libvirt/1"
#define PFS_LIBVIRT_QEMU_NS "http://libvirt.org/schemas/domain/qemu/1.0"

/* Convert domain @doc in place. @socketBase is the directory under
 * which each domain gets its sockets (<socketBase>/<name>/<alias>.sock).
 * The proxy filesystems are checked as 'virt-proxyfs validate' would.
 * A domain converted before is first restored, so converting again is
 * idempotent. Returns the number of proxy filesystems, or -1 with an
 * error reported. */
int pfsLibvirtConvert(xmlDoc *doc, const char *socketBase);

/* Undo pfsLibvirtConvert() on @doc in place. Returns 0 or -1. */
int pfsLibvirtRestore(xmlDoc *doc);

/* The target and source of each proxy share of converted domain @doc,
 * in pairs: target, source, target, source... */
GPtrArray *pfsLibvirtShares(xmlDoc *doc);

/* The whole document as text. */
char *pfsLibvirtFormat(xmlDoc *doc);
