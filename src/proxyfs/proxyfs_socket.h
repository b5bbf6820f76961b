/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxyfs_socket.h: the named socket of socket mode, made and removed
 * without acting by name where another user can write
 */
#pragma once

#include "pfsinternal.h"

#include <sys/types.h>

typedef struct _pfsProxySocket pfsProxySocket;
struct _pfsProxySocket {
    char *path;         /* as given: what QEMU connects to, and messages */
    char *name;         /* its last component */
    char *privName;     /* our private directory next to it */
    int dirfd;          /* O_PATH: the socket's directory */
    int filefd;         /* O_PATH: our socket file, pinned (its inode
                         * number cannot be reused while we look for it) */
    uid_t owners[2];    /* who may own a private directory we made: the
                         * starting user, and the one the helper serves as */
    bool placed;        /* our socket was moved to @name */
};

#define PFS_PROXY_SOCKET_INIT { .dirfd = -1, .filefd = -1 }

/* Create a Unix socket at @path, srw------- owned by @uid:@gid, listening
 * (backlog 1), and return its fd. A stale socket at @path (nobody listens)
 * is replaced with a warning; a live socket or anything else there is
 * refused. The socket only appears at @path once it listens with its
 * final owner and mode. Returns -1 with an error reported, leaving
 * nothing behind. */
int pfsProxySocketListen(pfsProxySocket *ps, const char *path, uid_t uid, gid_t gid);

/* Remove our socket from its path, if it is still there (QEMU may have
 * removed it, or someone replaced it: what is not ours is left alone).
 * Works after confinement too: it only needs the *at() calls the seccomp
 * filter allows. */
void pfsProxySocketRemove(pfsProxySocket *ps);

/* Close the fds and free the names; the socket file stays. */
void pfsProxySocketClear(pfsProxySocket *ps);
