/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfsfdpass.c: passing file descriptors over AF_UNIX sockets
 */
#include "pfsinternal.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pfsfdpass.h"

ssize_t
pfsFDSendWithData(int sock, const void *data, size_t datalen, int fd)
{
    struct iovec iov = { .iov_base = (void *)data, .iov_len = datalen };
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
    ssize_t r;

    if (fd >= 0) {
        struct cmsghdr *cmsg;

        memset(&control, 0, sizeof(control));
        msg.msg_control = control.buf;
        msg.msg_controllen = sizeof(control.buf);
        cmsg = CMSG_FIRSTHDR(&msg);
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
    }

    do {
        r = sendmsg(sock, &msg, MSG_NOSIGNAL);
    } while (r < 0 && errno == EINTR);
    return r;
}


ssize_t
pfsFDRecvWithData(int sock, void *data, size_t datalen, int *fd)
{
    struct iovec iov = { .iov_base = data, .iov_len = datalen };
    union {
        char buf[CMSG_SPACE(sizeof(int) * 4)];
        struct cmsghdr align;
    } control;
    struct msghdr msg = {
        .msg_iov = &iov,
        .msg_iovlen = 1,
        .msg_control = control.buf,
        .msg_controllen = sizeof(control.buf),
    };
    struct cmsghdr *cmsg;
    ssize_t r;

    *fd = -1;
    do {
        r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    } while (r < 0 && errno == EINTR);
    if (r < 0)
        return -1;

    for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
        size_t nfds;
        size_t i;

        if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS)
            continue;
        nfds = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (i = 0; i < nfds; i++) {
            int got;

            memcpy(&got, CMSG_DATA(cmsg) + i * sizeof(int), sizeof(int));
            if (*fd < 0 && nfds == 1)
                *fd = got;
            else
                close(got);
        }
    }
    return r;
}
