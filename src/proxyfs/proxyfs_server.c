/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxyfs_server.c: the request loop of one proxy connection
 *
 * QEMU sends one request and waits for its reply, so the loop is
 * strictly lockstep: read a whole frame (usually with one read), handle
 * it, answer with one write or one sendmsg. Nothing is allocated per
 * request.
 */
#include "pfsinternal.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pfsfdpass.h"
#include "pfsfile.h"
#include "pfslog.h"
#include "proxyfs_server.h"

PFS_ENUM_IMPL(pfsProxyEnd, PFS_PROXY_END_LAST,
              "eof", "protocol", "io");

pfsProxyServer *
pfsProxyServerNew(pfsProxyExport *exp, int sock)
{
    /* About 200 KiB of buffers; the kernel backs only the pages that
     * requests actually touch. */
    pfsProxyServer *srv = g_new0(pfsProxyServer, 1);

    srv->exp = exp;
    srv->sock = sock;
    return srv;
}


void
pfsProxyServerFree(pfsProxyServer *srv)
{
    g_free(srv);
}


int
pfsProxyServerHandle(pfsProxyServer *srv,
                     uint32_t type,
                     const uint8_t *payload,
                     size_t size,
                     pfsProxyReply *reply)
{
    const pfsProxyOpInfo *info = pfsProxyOpLookup(type);
    pfsProxyDecoder dec;

    if (!info)
        return -1;

    reply->klass = info->klass;
    reply->fd = -1;
    pfsProxyEncoderInit(&reply->data, srv->out + PFS_PROXY_HEADER_SIZE,
                        PFS_PROXY_MAX_PAYLOAD);

    if (info->mutates && srv->exp->readonly) {
        reply->status = -EROFS;
        return 0;
    }

    pfsProxyDecoderInit(&dec, payload, size, srv->scratch, sizeof(srv->scratch));
    reply->status = info->func(srv->exp, &dec, reply);

    if (reply->status >= 0 && reply->data.overflow) {
        /* cannot happen with the replies we build, but a reply larger
         * than QEMU's buffer would crash it */
        reply->status = -ENOBUFS;
    }
    if (reply->status < 0 && reply->fd >= 0)
        pfsForceClose(&reply->fd);
    return 0;
}


static void
pfsProxyPutHeader(uint8_t *buf, uint32_t type, uint32_t size)
{
    memcpy(buf, &type, sizeof(type));
    memcpy(buf + 4, &size, sizeof(size));
}


int
pfsProxyServerSend(pfsProxyServer *srv, pfsProxyReply *reply)
{
    size_t len;
    ssize_t r;

    switch (reply->klass) {
    case PFS_PROXY_REPLY_FD: {
        int32_t datum = reply->status < 0 ? reply->status : PFS_PROXY_FD_VALID;

        r = pfsFDSendWithData(srv->sock, &datum, sizeof(datum),
                              reply->status < 0 ? -1 : reply->fd);
        pfsForceClose(&reply->fd);
        if (r < 0)
            return -errno;
        return r == sizeof(datum) ? 0 : -EIO;
    }

    case PFS_PROXY_REPLY_DATA:
        if (reply->status >= 0) {
            pfsProxyPutHeader(srv->out, PFS_PROXY_T_SUCCESS, reply->data.len);
            len = PFS_PROXY_HEADER_SIZE + reply->data.len;
            break;
        }
        G_GNUC_FALLTHROUGH;
    case PFS_PROXY_REPLY_STATUS:
    case PFS_PROXY_REPLY_LAST:
    default:
        pfsProxyPutHeader(srv->out,
                          reply->status < 0 ? PFS_PROXY_T_ERROR : PFS_PROXY_T_SUCCESS,
                          sizeof(int32_t));
        memcpy(srv->out + PFS_PROXY_HEADER_SIZE, &reply->status, sizeof(int32_t));
        len = PFS_PROXY_HEADER_SIZE + sizeof(int32_t);
        break;
    }

    do {
        r = send(srv->sock, srv->out, len, MSG_NOSIGNAL);
    } while (r < 0 && errno == EINTR);
    if (r < 0)
        return -errno;
    if ((size_t)r != len)
        return pfsSafeWrite(srv->sock, srv->out + r, len - r) < 0 ? -errno : 0;
    return 0;
}


static uint64_t
pfsProxyNowNs(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}


/* QEMU sends its next request within microseconds of a reply when the
 * guest is busy. Asking for it without blocking, for at most
 * srv->busyPollNs, keeps this CPU awake for it: the client's send then
 * finds us running instead of having to wake a sleeping helper (on a
 * virtual machine, an idle vCPU). Returns 1 when bytes came, 0 at EOF,
 * -1 when the time is up or the socket has an error that the blocking
 * read will report. */
static int
pfsProxyServerBusyPoll(pfsProxyServer *srv)
{
    uint64_t deadline = pfsProxyNowNs() + srv->busyPollNs;

    do {
        ssize_t r = recv(srv->sock, srv->in + srv->inLen,
                         sizeof(srv->in) - srv->inLen, MSG_DONTWAIT);
        if (r > 0) {
            srv->inLen += r;
            return 1;
        }
        if (r == 0)
            return 0;
        if (errno != EAGAIN && errno != EINTR)
            return -1;
    } while (pfsProxyNowNs() < deadline);
    return -1;
}


/* Read until @srv->in holds at least @want bytes. Returns 1 when it
 * does, 0 at EOF, -errno on error. */
static int
pfsProxyServerFill(pfsProxyServer *srv, size_t want)
{
    if (srv->busyPollNs > 0 && srv->inLen == 0 &&
        pfsProxyServerBusyPoll(srv) == 0)
        return 0;

    while (srv->inLen < want) {
        ssize_t r = read(srv->sock, srv->in + srv->inLen,
                         sizeof(srv->in) - srv->inLen);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (r == 0)
            return 0;
        srv->inLen += r;
    }
    return 1;
}


static bool
pfsErrnoIsHangup(int err)
{
    return err == EPIPE || err == ECONNRESET;
}


pfsProxyEnd
pfsProxyServerRun(pfsProxyServer *srv)
{
    for (;;) {
        pfsProxyReply reply;
        uint32_t type, size;
        size_t frame;
        int r;

        if ((r = pfsProxyServerFill(srv, PFS_PROXY_HEADER_SIZE)) <= 0) {
            if (r == 0 && srv->inLen == 0)
                return PFS_PROXY_END_EOF;
            if (r == 0) {
                PFS_WARN(_("connection closed in the middle of a request"));
                return PFS_PROXY_END_EOF;
            }
            if (pfsErrnoIsHangup(-r))
                return PFS_PROXY_END_EOF;
            PFS_ERROR(_("cannot read request: %s"), g_strerror(-r));
            return PFS_PROXY_END_IO;
        }

        memcpy(&type, srv->in, sizeof(type));
        memcpy(&size, srv->in + 4, sizeof(size));
        if (size > PFS_PROXY_MAX_PAYLOAD) {
            PFS_ERROR(_("request of type %u announces %u bytes, more than the protocol's %u"),
                      type, size, PFS_PROXY_MAX_PAYLOAD);
            return PFS_PROXY_END_PROTOCOL;
        }
        if (!pfsProxyOpLookup(type)) {
            PFS_ERROR(_("request of unknown type %u"), type);
            return PFS_PROXY_END_PROTOCOL;
        }

        frame = PFS_PROXY_HEADER_SIZE + size;
        if ((r = pfsProxyServerFill(srv, frame)) <= 0) {
            if (r == 0 || pfsErrnoIsHangup(-r)) {
                PFS_WARN(_("connection closed in the middle of a request"));
                return PFS_PROXY_END_EOF;
            }
            PFS_ERROR(_("cannot read request: %s"), g_strerror(-r));
            return PFS_PROXY_END_IO;
        }

        pfsProxyServerHandle(srv, type, srv->in + PFS_PROXY_HEADER_SIZE,
                             size, &reply);
        srv->requests++;
        PFS_DEBUG("%s: %d", pfsProxyTypeTypeToString(type), reply.status);

        /* QEMU never sends ahead, but a client may: keep what follows. */
        srv->inLen -= frame;
        if (srv->inLen > 0)
            memmove(srv->in, srv->in + frame, srv->inLen);

        if ((r = pfsProxyServerSend(srv, &reply)) < 0) {
            if (pfsErrnoIsHangup(-r))
                return PFS_PROXY_END_EOF;
            PFS_ERROR(_("cannot send reply: %s"), g_strerror(-r));
            return PFS_PROXY_END_IO;
        }
    }
}
