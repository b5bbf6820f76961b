/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_supervisor.h: the process that runs a domain, and the domains
 * such processes run
 */
#pragma once

#include "pfsinternal.h"

#include <sys/types.h>

#include "domain_conf.h"
#include "qemu_conf.h"

/* Start @def (made ready by qemuDomainPrepare(), and taken over) and
 * supervise it until it stops: ask the guest to power off on SIGINT,
 * SIGTERM or SIGHUP, or when a proxy helper dies (then an error). What
 * happens is printed, or logged with @daemon, where the command returns
 * once the domain runs (or with the reason it could not start) and the
 * supervisor goes on in the background. Returns 0, or -1 with an error
 * reported. */
int qemuSupervisorRun(const qemuDriverConfig *cfg, pfsDomainDef *def, bool daemon);

typedef enum {
    QEMU_SUPERVISOR_STOPPED = 0,    /* its supervisor shut it down */
    QEMU_SUPERVISOR_STOPPED_ORPHANS, /* its supervisor had died: what it
                                      * left running was stopped */
    QEMU_SUPERVISOR_STOPPED_STATE,  /* nothing ran: the state left by a
                                     * run that ended abruptly is removed */

    QEMU_SUPERVISOR_STOPPED_LAST
} qemuSupervisorStopResult;

/* Stop domain @name: ask its supervisor, and wait until the domain is
 * gone; or, when the supervisor died, stop what it left running
 * (qemuOrphanStop()), described in *@stopped. Returns the result, or -1
 * with an error reported. */
int qemuSupervisorStop(const qemuDriverConfig *cfg, const char *name, char **stopped);

typedef enum {
    QEMU_SUPERVISOR_DOMAIN_RUNNING = 0,
    QEMU_SUPERVISOR_DOMAIN_ORPHANED,    /* its supervisor died: 'stop' ends it */
    QEMU_SUPERVISOR_DOMAIN_UNKNOWN,     /* processes that may be its: it is
                                         * not safe to start it again */

    QEMU_SUPERVISOR_DOMAIN_LAST
} qemuSupervisorDomainState;

typedef struct _qemuSupervisorDomain qemuSupervisorDomain;
struct _qemuSupervisorDomain {
    char *name;
    qemuSupervisorDomainState state;
    pid_t pid;                          /* the supervisor's, when running */
};

/* The domains with a state directory and something that runs, by name:
 * an array of qemuSupervisorDomain. */
GPtrArray *qemuSupervisorList(const qemuDriverConfig *cfg);
