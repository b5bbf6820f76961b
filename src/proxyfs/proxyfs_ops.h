/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxyfs_ops.h: the file operations behind each proxy request
 */
#pragma once

#include "pfsinternal.h"

#include "proxyfs_codec.h"
#include "proxyfs_export.h"
#include "proxyfs_protocol.h"

typedef struct _pfsProxyReply pfsProxyReply;
struct _pfsProxyReply {
    pfsProxyReplyClass klass;
    int32_t status;          /* >= 0, or -errno */
    int fd;                  /* fd replies: passed to the client, then closed */
    pfsProxyEncoder data;    /* data replies: the payload after the header */
};

/* Decode the arguments of a request of @type from @dec, perform it, and
 * fill in @reply. The reply class is preset from the request type. */
typedef int32_t (*pfsProxyOpFunc)(pfsProxyExport *exp,
                                  pfsProxyDecoder *dec,
                                  pfsProxyReply *reply);

typedef struct _pfsProxyOpInfo pfsProxyOpInfo;
struct _pfsProxyOpInfo {
    pfsProxyOpFunc func;
    pfsProxyReplyClass klass;
    bool mutates;            /* refused with EROFS on a read-only export */
};

/* The table entry of a request type, or NULL for a type that is not a
 * request (the reply types, and unknown values). */
const pfsProxyOpInfo *pfsProxyOpLookup(uint32_t type);
