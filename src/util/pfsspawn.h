/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfsspawn.h: running a pfsCmdline as a child process
 *
 * Between fork() and execve() the child only makes system calls (see
 * pfsspawn.c about libcap-ng), so a multi-threaded caller is fine.
 */
#pragma once

#include "pfsinternal.h"

#include <sys/types.h>

#include "pfscmdline.h"

typedef struct _pfsSpawnAttrs pfsSpawnAttrs;
struct _pfsSpawnAttrs {
    /* Switch to @uid:@gid with exactly @groups as supplementary groups
     * (none when @ngroups is 0). */
    bool setIds;
    uid_t uid;
    gid_t gid;
    const gid_t *groups;
    size_t ngroups;

    /* The bounding set becomes @caps (bit n = CAP_* number n), the
     * permitted and effective sets @caps, the inheritable and ambient
     * sets empty. A program that runs as root starts with exactly @caps;
     * one that runs as any other uid starts with none (the ambient set is
     * empty), and @caps only bounds what a setuid or file-capability
     * binary could obtain. Needs CAP_SETPCAP. */
    bool setCaps;
    guint64 caps;

    /* PR_SET_NO_NEW_PRIVS before the program starts. */
    bool noNewPrivs;

    /* Becomes stdout and stderr; -1 means /dev/null. stdin is always
     * /dev/null. */
    int outputFD;

    /* When set, the child's pid is written there (mode 0644, replaced
     * atomically) once the program has started; never on failure. */
    const char *pidFile;

    /* Start a new session (setsid) in the child. */
    bool newSession;
};

/* Attributes that change nothing; note that outputFD 0 would be stdin. */
#define PFS_SPAWN_ATTRS_INIT { .outputFD = -1 }

/* Run @cmd: its argv[0] is executed as given (no PATH search), with its
 * argv, exactly its environment (an empty one if it has none), and its
 * passed fds at the same numbers; every other fd above 2 is closed.
 * Signal dispositions are reset to their defaults and no signal is
 * blocked. @attrs may be NULL for PFS_SPAWN_ATTRS_INIT. Whatever fails
 * in the child before the program starts is reported here, once, and
 * the child is reaped. Returns 0 with *@pid set, or -1. */
int pfsSpawn(const pfsCmdline *cmd, const pfsSpawnAttrs *attrs, pid_t *pid);

/* pfsSpawn() and wait for the program to finish. Returns 0 with its
 * waitpid() status in *@status (optional), or -1. */
int pfsSpawnRun(const pfsCmdline *cmd, const pfsSpawnAttrs *attrs, int *status);

/* Wait up to @timeoutMs (-1: forever) for child @pid to end and reap it.
 * Returns 1 when it ended (*@status set, optional), 0 when it still
 * runs after @timeoutMs, -1 on error. */
int pfsSpawnWait(pid_t pid, int timeoutMs, int *status);

/* Send SIGTERM to child @pid, give it @graceMs (-1: forever) to end,
 * then SIGKILL it, and reap it. Returns 0 with *@status (optional) set,
 * or -1. */
int pfsSpawnTerminate(pid_t pid, int graceMs, int *status);

/* A waitpid() status for messages: "exited with status 1", "killed by
 * signal 9 (Killed)", translated. */
char *pfsSpawnDescribeStatus(int status);
