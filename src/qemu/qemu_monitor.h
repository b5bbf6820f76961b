/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_monitor.h: the few QMP commands the driver needs
 *
 * QEMU is started paused (-S) and with -no-shutdown, as libvirt does:
 * the driver lets the CPUs run with "cont" once everything is in place,
 * and a guest that powers off leaves QEMU stopped with a SHUTDOWN event,
 * upon which the driver decides (on_poweroff) and tells QEMU to quit.
 */
#pragma once

#include "pfsinternal.h"

#include <sys/types.h>

typedef struct _qemuMonitor qemuMonitor;

/* Connect to QEMU's monitor socket at @path and negotiate QMP, waiting
 * up to @timeoutMs for QEMU (process @pid) to answer. Returns NULL with
 * an error reported. */
qemuMonitor *qemuMonitorOpen(const char *path, pid_t pid, int timeoutMs);
void qemuMonitorClose(qemuMonitor *mon);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qemuMonitor, qemuMonitorClose);

/* Run the argument-less command @name ("cont", "system_powerdown",
 * "quit") and wait for its answer. Returns 0, or -1 with QEMU's error
 * (or the connection's) reported. */
int qemuMonitorCommand(qemuMonitor *mon, const char *name);

/* The fd to poll for events. */
int qemuMonitorGetFD(const qemuMonitor *mon);

/* Read the events that arrived. Returns 0, or -1 when the monitor is
 * gone (QEMU exited). */
int qemuMonitorReadEvents(qemuMonitor *mon);

/* The guest powered off (a SHUTDOWN event was seen). */
bool qemuMonitorShutdownSeen(const qemuMonitor *mon);
