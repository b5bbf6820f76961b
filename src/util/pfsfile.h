/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfsfile.h: file descriptor helpers
 */
#pragma once

#include "pfsinternal.h"

#include <sys/types.h>

/* Close *fdptr if it is open and set it to -1; errno is preserved. */
void pfsForceClose(int *fdptr);

/* An int fd that is closed when it goes out of scope. */
#define PFS_AUTOCLOSE __attribute__((cleanup(pfsForceClose))) int

/* Write or read all of a buffer, retrying on EINTR and short counts.
 * Return the count, or -1 with errno set. A read that hits EOF early
 * returns the shorter count. */
ssize_t pfsSafeWrite(int fd, const void *buf, size_t count);
ssize_t pfsSafeRead(int fd, void *buf, size_t count);

/* qsort() comparator of fds (ints), in ascending order. */
int pfsFDCompare(const void *a, const void *b);

/* Close every fd from @from upwards except those listed in @keep.
 * Returns 0, or -1 with an error reported. */
int pfsCloseFdsExcept(int from, const int *keep, size_t nkeep);

/* Set or clear FD_CLOEXEC. Returns 0, or -1 with an error reported. */
int pfsSetCloseExec(int fd, bool closeOnExec);

/* Parse a non-negative decimal int with nothing trailing. */
int pfsParseFD(const char *str, int *fd);

/* fchmodat2(2), Linux 6.6, which glibc 2.36 does not wrap: the number is
 * the same on every architecture. */
#define PFS_SYS_FCHMODAT2 452

/* Whether the kernel has fchmodat2() (probed without changing anything). */
bool pfsFchmodat2Available(void);

/* fchmodat2(@fd, "", @mode, AT_EMPTY_PATH): the mode of an O_PATH fd's
 * object. Returns 0 or -errno. */
int pfsFchmodEmptyPath(int fd, mode_t mode);

/* Open @path, a directory that must be ours and that nobody else can
 * write to: what root does in it by name cannot be redirected. Returns
 * the fd, or -1 with an error (errno kept when it could not be
 * opened). */
int pfsDirOpenPrivate(const char *path);

/* @path, with its missing parents (0755), checked as by
 * pfsDirOpenPrivate(), then given @mode. Returns 0 or -1. */
int pfsDirMakePrivate(const char *path, mode_t mode);
