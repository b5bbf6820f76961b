/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfsfdpass.h: passing file descriptors over AF_UNIX sockets
 */
#pragma once

#include "pfsinternal.h"

#include <stdint.h>
#include <sys/types.h>

/* Send @datalen bytes of @data in one sendmsg(), with @fd attached as
 * SCM_RIGHTS when @fd >= 0. Never raises SIGPIPE. Returns the number of
 * bytes sent, or -1 with errno set (no error is reported: callers on the
 * helper's request path decide what a failure means). */
ssize_t pfsFDSendWithData(int sock, const void *data, size_t datalen, int fd);

/* Receive up to @datalen bytes with one recvmsg(). If exactly one fd
 * arrived it is stored in *fd (close-on-exec), else *fd is -1; any other
 * fds that arrived are closed. Returns the byte count (0 at EOF), or -1
 * with errno set. */
ssize_t pfsFDRecvWithData(int sock, void *data, size_t datalen, int *fd);
