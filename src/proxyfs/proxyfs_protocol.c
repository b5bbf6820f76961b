/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxyfs_protocol.c: names of the proxy protocol's message types
 */
#include "pfsinternal.h"

#include "proxyfs_protocol.h"

PFS_ENUM_IMPL(pfsProxyType, PFS_PROXY_T_LAST,
              "success", "error", "open", "create", "mknod", "mkdir",
              "symlink", "link", "lstat", "readlink", "statfs", "chmod",
              "chown", "truncate", "utime", "rename", "remove",
              "lgetxattr", "llistxattr", "lsetxattr", "lremovexattr",
              "getversion");

PFS_ENUM_IMPL(pfsProxyReplyClass, PFS_PROXY_REPLY_LAST,
              "fd", "status", "data");
