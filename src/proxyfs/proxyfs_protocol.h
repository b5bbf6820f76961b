/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxyfs_protocol.h: constants of QEMU's 9p "proxy" wire protocol
 *
 * Every integer travels in host byte order, packed without padding.
 * A request is an 8-byte header {u32 type, u32 size} and @size bytes of
 * arguments. Replies come in three classes, chosen by the request type:
 * an unframed 4-byte datum with SCM_RIGHTS (open, create), a 12-byte
 * status frame, or a framed data reply.
 */
#pragma once

#include "pfsinternal.h"
#include "pfsenum.h"

#include <stdint.h>

#define PFS_PROXY_HEADER_SIZE 8
#define PFS_PROXY_MAX_PAYLOAD 65536
#define PFS_PROXY_MAX_FRAME (PFS_PROXY_HEADER_SIZE + PFS_PROXY_MAX_PAYLOAD)

/* The datum of a successful fd reply; anything else is a -errno. */
#define PFS_PROXY_FD_VALID 0x7FFFFFFF

/* Sizes of the marshalled stat and statfs replies. */
#define PFS_PROXY_STAT_SIZE 116
#define PFS_PROXY_STATFS_SIZE 88

/* A string's length prefix is 16 bits, and a data reply's payload can
 * hold at most 65536 bytes including that prefix. */
#define PFS_PROXY_MAX_STRING 65535
#define PFS_PROXY_MAX_REPLY_STRING (PFS_PROXY_MAX_PAYLOAD - 2)

typedef enum {
    PFS_PROXY_T_SUCCESS = 0,
    PFS_PROXY_T_ERROR,
    PFS_PROXY_T_OPEN,
    PFS_PROXY_T_CREATE,
    PFS_PROXY_T_MKNOD,
    PFS_PROXY_T_MKDIR,
    PFS_PROXY_T_SYMLINK,
    PFS_PROXY_T_LINK,
    PFS_PROXY_T_LSTAT,
    PFS_PROXY_T_READLINK,
    PFS_PROXY_T_STATFS,
    PFS_PROXY_T_CHMOD,
    PFS_PROXY_T_CHOWN,
    PFS_PROXY_T_TRUNCATE,
    PFS_PROXY_T_UTIME,
    PFS_PROXY_T_RENAME,
    PFS_PROXY_T_REMOVE,
    PFS_PROXY_T_LGETXATTR,
    PFS_PROXY_T_LLISTXATTR,
    PFS_PROXY_T_LSETXATTR,
    PFS_PROXY_T_LREMOVEXATTR,
    PFS_PROXY_T_GETVERSION,

    PFS_PROXY_T_LAST
} pfsProxyType;

PFS_ENUM_DECL(pfsProxyType);

typedef enum {
    PFS_PROXY_REPLY_FD = 0,   /* unframed 4-byte datum, SCM_RIGHTS on success */
    PFS_PROXY_REPLY_STATUS,   /* header + s32 status, always 12 bytes */
    PFS_PROXY_REPLY_DATA,     /* header + data, or header + s32 -errno */

    PFS_PROXY_REPLY_LAST
} pfsProxyReplyClass;

PFS_ENUM_DECL(pfsProxyReplyClass);
