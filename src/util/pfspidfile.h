/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfspidfile.h: pid files in root's private directories
 *
 * A pid file names the process that runs something. It lives in a
 * directory that only root can write to (the driver's state directories,
 * checked by pfsDirOpenPrivate(), as is the hook's run directory): it
 * is written beside its name and renamed over it, so that a reader never
 * sees half a pid, and read without following a symlink. What it holds
 * is only a claim: the pid may have been recycled since.
 */
#pragma once

#include "pfsinternal.h"

#include <sys/types.h>

/* Write @pid to @path (mode 0644, whatever the umask: other users' tools
 * read pid files), replacing what was there. Returns 0, or -1 with an
 * error reported. */
int pfsPidFileWrite(const char *path, pid_t pid);

/* The pid in @path, read without following a symlink. Returns 1 with
 * *@pid set; 0 when there is no such file; -1 with an error reported
 * when it is not a regular file, cannot be read or holds no pid. */
int pfsPidFileRead(const char *path, pid_t *pid);

/* As pfsPidFileRead(), but 0 also when the process is gone or, with
 * @binary, runs another program than the file @binary (compared by
 * device and inode; a zombie runs none). */
int pfsPidFileReadIfAlive(const char *path, const char *binary, pid_t *pid);

/* Remove @path, when it is there: on the way out, so a failure is only
 * logged. */
void pfsPidFileDelete(const char *path);
