/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_process.h: starting and stopping a domain's QEMU and helpers
 */
#pragma once

#include "pfsinternal.h"

#include <sys/types.h>

#include "domain_conf.h"
#include "qemu_conf.h"
#include "qemu_monitor.h"
#include "qemu_proxyfs.h"
#include "qemu_security.h"

/* In the state directory: the pid of the process that started the
 * domain and runs it, its supervisor (qemu_supervisor.c). */
#define QEMU_PROCESS_SUPERVISOR_PID_FILE "supervisor.pid"

/* A running domain. Its state directory holds qemu.pid, one <alias>.pid
 * per proxy helper, the monitor socket and, while a supervisor process
 * runs it, the supervisor's pid file. */
typedef struct _qemuProcess qemuProcess;
struct _qemuProcess {
    pfsDomainDef *def;
    const qemuDriverConfig *cfg;
    char *stateDir;             /* <state_dir>/<name> */
    char *libDir;               /* <lib_dir>/domain-<name>: QEMU's HOME */
    char *logFile;              /* <log_dir>/<name>.log: QEMU's output */
    off_t logStart;             /* where this run's output starts in it */
    char *monitorPath;
    char *pidFile;
    pid_t pid;                  /* QEMU; 0 once reaped */
    int status;                 /* its waitpid() status once reaped */
    qemuMonitor *mon;
    qemuSecurityLabels *labels; /* files given to QEMU's user, to restore */
    bool launched;              /* QEMU was executed */
    qemuProxyfsHelper **helpers;
    size_t nhelpers;
    bool helperDied;            /* a helper exited while QEMU ran */
};


/* The state directory of domain @name. */
char *qemuProcessStateDir(const qemuDriverConfig *cfg, const char *name);

/* Start @def (made ready by qemuDomainPrepare()), taking it over: its
 * proxy helpers, then QEMU as cfg->user with no capabilities and
 * no_new_privs, and let the guest run; the caller, which is to poll
 * and stop it, is named its supervisor in the state directory. Returns
 * the running domain, or NULL with an error reported and nothing left
 * running or on disk. */
qemuProcess *qemuProcessStart(const qemuDriverConfig *cfg, pfsDomainDef *def);

/* Handle what happened: monitor events (a guest that powered off is
 * dealt with as <on_poweroff> says), a helper that exited (its share is
 * dead: proc->helperDied is set and the error reported) and QEMU's exit.
 * Waits up to @timeoutMs. Returns 1 when QEMU has exited, 0 when it
 * still runs. */
int qemuProcessPoll(qemuProcess *proc, int timeoutMs);

/* Ask the guest to power off (ACPI), give it @timeoutSec, then make QEMU
 * quit, then kill it. Returns when QEMU is gone. */
void qemuProcessShutdown(qemuProcess *proc, unsigned int timeoutSec);

/* Make sure QEMU is gone, stop the helpers, remove the state directory,
 * and free @proc. */
void qemuProcessStop(qemuProcess *proc);
