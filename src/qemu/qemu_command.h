/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_command.h: the QEMU 7.2 command line of a domain
 */
#pragma once

#include "pfsinternal.h"
#include "pfscmdline.h"
#include "domain_conf.h"

/* What the process-launch step hands over: open file descriptors and
 * per-domain paths that the command line refers to. */
typedef struct _qemuCommandLineParams qemuCommandLineParams;
struct _qemuCommandLineParams {
    /* the domain's private directory: HOME and XDG_* of QEMU */
    const char *libDir;
    /* the listening socket of the QMP monitor */
    int monitorFD;
    /* for each def->fss[i]: QEMU's end of the socketpair shared with
     * that filesystem's proxy helper, or -1 when it is not proxy */
    const int *fsProxyFDs;
    size_t nfsProxyFDs;
};

/* Build the command line of @def, which qemuDomainPrepare() has made
 * ready. Returns NULL after reporting an error. */
pfsCmdline *qemuBuildCommandLine(const pfsDomainDef *def,
                                 const qemuCommandLineParams *params);

/* The command line of @def as it would be run, without running
 * anything: for 'domxml-to-native' and the tests. The monitor is
 * @monitorFD and def->fss[i]'s proxy socket @proxyFDBase + i, numbers
 * that stand for the descriptors the launch would pass. */
pfsCmdline *qemuBuildPretendCommandLine(const pfsDomainDef *def,
                                        const char *libDir,
                                        int monitorFD,
                                        int proxyFDBase);
