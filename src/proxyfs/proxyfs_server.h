/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxyfs_server.h: the request loop of one proxy connection
 */
#pragma once

#include "pfsinternal.h"

#include <stdint.h>

#include "proxyfs_codec.h"
#include "proxyfs_export.h"
#include "proxyfs_ops.h"
#include "proxyfs_protocol.h"

typedef struct _pfsProxyServer pfsProxyServer;
struct _pfsProxyServer {
    pfsProxyExport *exp;
    int sock;
    uint64_t busyPollNs;    /* how long to wait for a request on the CPU */
    uint64_t requests;
    size_t inLen;
    uint8_t in[PFS_PROXY_MAX_FRAME];
    uint8_t out[PFS_PROXY_MAX_FRAME];
    char scratch[PFS_PROXY_SCRATCH_SIZE];
};

typedef enum {
    PFS_PROXY_END_EOF = 0,      /* the client closed the connection */
    PFS_PROXY_END_PROTOCOL,     /* the client broke the protocol */
    PFS_PROXY_END_IO,           /* the socket failed */

    PFS_PROXY_END_LAST
} pfsProxyEnd;

PFS_ENUM_DECL(pfsProxyEnd);

pfsProxyServer *pfsProxyServerNew(pfsProxyExport *exp, int sock);
void pfsProxyServerFree(pfsProxyServer *srv);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(pfsProxyServer, pfsProxyServerFree);

/* Handle one request whose payload is @payload (@size bytes, at most
 * PFS_PROXY_MAX_PAYLOAD). The reply is built in @reply, with data
 * replies encoded at srv->out + PFS_PROXY_HEADER_SIZE. Returns 0, or -1
 * when @type is not a request (the connection must then end). */
int pfsProxyServerHandle(pfsProxyServer *srv,
                         uint32_t type,
                         const uint8_t *payload,
                         size_t size,
                         pfsProxyReply *reply);

/* Write @reply to the socket (closing a passed fd). Returns 0 or -errno. */
int pfsProxyServerSend(pfsProxyServer *srv, pfsProxyReply *reply);

/* Serve requests until the connection ends; says why. */
pfsProxyEnd pfsProxyServerRun(pfsProxyServer *srv);
