/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_orphan.h: the processes of a domain whose supervisor died
 */
#pragma once

#include "pfsinternal.h"

#include <sys/types.h>

#include "qemu_conf.h"

/* A process named by a pid file of a domain's state directory that is
 * really that process (see qemu_orphan.c) and still runs. */
typedef struct _qemuOrphan qemuOrphan;
struct _qemuOrphan {
    char *what;                 /* "QEMU", "the proxy helper of filesystem 'fs0'" */
    char *pidFile;
    pid_t pid;
    int pidfd;                  /* keeps a recycled pid from being signalled */
    bool isQEMU;
};

void qemuOrphanFree(qemuOrphan *orphan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qemuOrphan, qemuOrphanFree);

/* The pid of the supervisor ('virt-proxyfs start', the same program as
 * the caller) running domain @name, or 0. */
pid_t qemuOrphanSupervisorPid(const qemuDriverConfig *cfg, const char *name);

/* The processes of domain @name that still run though no supervisor
 * does: QEMU and its proxy helpers, each checked to be the process its
 * pid file names (program and arguments, from the domain.xml the
 * supervisor saved) before it is listed. Sets *@orphans to an array
 * (empty when there are none). Returns 0, or -1 with an error when a pid
 * file names a live process that cannot be checked. */
int qemuOrphanFind(const qemuDriverConfig *cfg, const char *name,
                   GPtrArray **orphans);

/* "QEMU (pid 12), the proxy helper of filesystem 'fs0' (pid 13)" */
char *qemuOrphanDescribe(GPtrArray *orphans);

/* Stop the processes of domain @name that its dead supervisor left: ask
 * the guest to power off through QEMU's monitor, give it @timeoutSec,
 * then SIGTERM and SIGKILL QEMU, then its helpers, and remove the state
 * directory. Sets *@stopped to what was stopped (as
 * qemuOrphanDescribe()) and returns how many processes that was, or -1
 * with an error (the state directory is then kept). */
int qemuOrphanStop(const qemuDriverConfig *cfg, const char *name,
                   unsigned int timeoutSec, char **stopped);
