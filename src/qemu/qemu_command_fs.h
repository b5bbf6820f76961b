/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_command_fs.h: -fsdev and the virtio-9p -device of <filesystem>
 */
#pragma once

#include "pfsinternal.h"
#include "pfscmdline.h"
#include "domain_conf.h"

/* How QEMU reaches the proxy helper of one share, and the -fsdev's ID. */
typedef struct _qemuFSProxyParams qemuFSProxyParams;
struct _qemuFSProxyParams {
    const char *fsdevID;
    /* sock_fd=: QEMU's end of the socketpair, which it inherits */
    int fd;
    /* socket=: the path of the helper's listening socket; when set, it
     * is used instead of @fd */
    const char *socketPath;
};

/* The value of -fsdev for proxy share @fs. */
char *qemuBuildFSProxyStr(const pfsDomainFSDef *fs,
                          const qemuFSProxyParams *params);

/* The JSON of the virtio-9p -device of @fs: its ID, the ID of its
 * -fsdev, and its PCI address when @address (and it has one). */
char *qemuBuildFSDevStr(const pfsDomainFSDef *fs,
                        const char *deviceID,
                        const char *fsdevID,
                        bool address);

/* -fsdev and -device of every <filesystem> of @def; the proxy ones get
 * @fsProxyFDs[i], the socket of def->fss[i]'s helper. Returns 0, or -1
 * with an error reported. */
int qemuBuildFilesystemCommandLine(pfsCmdline *cmd,
                                   const pfsDomainDef *def,
                                   const int *fsProxyFDs,
                                   size_t nfsProxyFDs);
