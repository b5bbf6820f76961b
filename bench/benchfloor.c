/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * benchfloor.c: the floor, what no helper could beat on this machine
 *
 * Its two halves, measured apart and added up per operation: the same
 * system calls made by this process on an export of its own, with the
 * export as working directory (as a chrooted helper resolves paths),
 * and one bare round trip per request to a forked child that only
 * echoes, with an fd for the requests whose reply carries one.
 */
#include "pfsinternal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "pfsfdpass.h"
#include "pfsfile.h"
#include "bench.h"


/* @req as this process's own system calls: what any implementation has
 * to do for it, a chrooted helper's working directory being the export.
 * Counts its "requests" too, so that the floor knows how many round
 * trips each operation needs. */
int32_t
pfsBenchLocal(pfsBenchTarget *t, const pfsBenchReq *req)
{
    int r = -1;
    int err;

    switch (req->type) {
    case PFS_PROXY_T_LSTAT: {
        struct stat st;

        r = lstat(req->path, &st);
        break;
    }
    case PFS_PROXY_T_OPEN: {
        int fd = open(req->path, req->flags | O_CLOEXEC);

        r = fd < 0 ? -1 : 0;
        if (fd >= 0)
            close(fd);
        break;
    }
    case PFS_PROXY_T_CREATE: {
        int fd = open(req->path, req->flags | O_CREAT | O_CLOEXEC, req->mode);

        /* the guest's owner, as any implementation must set it */
        r = fd;
        if (fd >= 0) {
            r = fchown(fd, req->uid, req->gid);
            close(fd);
        }
        break;
    }
    case PFS_PROXY_T_MKDIR:
        if ((r = mkdir(req->path, req->mode)) == 0)
            r = lchown(req->path, req->uid, req->gid);
        break;
    case PFS_PROXY_T_SYMLINK:
        if ((r = symlink(req->other, req->path)) == 0)
            r = lchown(req->path, req->uid, req->gid);
        break;
    case PFS_PROXY_T_REMOVE:
        /* remove(3), which is what the request means: the type is not
         * known in advance */
        if ((r = unlink(req->path)) < 0 && errno == EISDIR)
            r = rmdir(req->path);
        break;
    case PFS_PROXY_T_CHMOD:
        r = chmod(req->path, req->mode);
        break;
    case PFS_PROXY_T_CHOWN:
        r = lchown(req->path, req->uid, req->gid);
        break;
    case PFS_PROXY_T_TRUNCATE:
        r = truncate(req->path, req->num);
        break;
    case PFS_PROXY_T_UTIME: {
        struct timespec ts[2] = { { req->num, req->nsec }, { req->num, req->nsec } };

        r = utimensat(AT_FDCWD, req->path, ts, AT_SYMLINK_NOFOLLOW);
        break;
    }
    case PFS_PROXY_T_RENAME:
        r = rename(req->path, req->other);
        break;
    case PFS_PROXY_T_READLINK: {
        char buf[PFS_BENCH_READLINK_BUF];

        r = readlink(req->path, buf, sizeof(buf) - 1) < 0 ? -1 : 0;
        break;
    }
    case PFS_PROXY_T_STATFS: {
        struct statfs sfs;

        r = statfs(req->path, &sfs);
        break;
    }
    case PFS_PROXY_T_LGETXATTR: {
        /* @size 0 probes: the status is the length */
        char buf[PFS_BENCH_XATTR_LEN];
        ssize_t n = lgetxattr(req->path, PFS_BENCH_XATTR_NAME, req->size ? buf : NULL,
                              MIN((size_t)req->size, sizeof(buf)));

        r = n < 0 ? -1 : req->size ? 0 : (int)n;
        break;
    }
    case PFS_PROXY_T_LSETXATTR:
        r = lsetxattr(req->path, PFS_BENCH_XATTR_NAME, PFS_BENCH_XATTR_VALUE,
                      PFS_BENCH_XATTR_LEN, 0);
        break;
    PFS_BENCH_CASE_UNSENT:
    default:
        /* no operation sends these */
        errno = ENOSYS;
        break;
    }
    err = errno;

    if (req->type == PFS_PROXY_T_OPEN || req->type == PFS_PROXY_T_CREATE)
        t->fds++;
    else
        t->plain++;
    return r < 0 ? -err : r;
}


/* Reads whole frames the way a helper would (one read when it can) and
 * answers each with one send: T_OPEN frames with a 4-byte datum and an
 * fd (the shape of a real open reply), everything else with the frame
 * itself. Ends at EOF. */
static void G_GNUC_NORETURN
pfsBenchEchoServe(int sock)
{
    static uint8_t buf[PFS_PROXY_MAX_FRAME];
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    size_t have = 0;

    for (;;) {
        uint32_t type, size = 0;
        size_t frame;

        while (have < PFS_PROXY_HEADER_SIZE || have < PFS_PROXY_HEADER_SIZE + size) {
            ssize_t r = read(sock, buf + have, sizeof(buf) - have);

            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                _exit(r == 0 ? 0 : 1);
            have += r;
            if (have >= PFS_PROXY_HEADER_SIZE) {
                memcpy(&size, buf + 4, sizeof(size));
                if (size > PFS_PROXY_MAX_PAYLOAD)
                    _exit(1);
            }
        }
        memcpy(&type, buf, sizeof(type));
        frame = PFS_PROXY_HEADER_SIZE + size;

        if (type == PFS_PROXY_T_OPEN) {
            int32_t datum = PFS_PROXY_FD_VALID;

            if (pfsFDSendWithData(sock, &datum, sizeof(datum), devnull) != sizeof(datum))
                _exit(1);
        } else {
            size_t done = 0;

            while (done < frame) {
                ssize_t r = send(sock, buf + done, frame - done, MSG_NOSIGNAL);
                if (r < 0 && errno == EINTR)
                    continue;
                if (r < 0)
                    _exit(1);
                done += r;
            }
        }
        have -= frame;
        if (have > 0)
            memmove(buf, buf + frame, have);
    }
}


int
pfsBenchEchoStart(pfsBenchRun *run, pfsBenchTarget *t)
{
    int sv[2];
    pid_t pid;

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        fprintf(stderr, "proxyfsbench: socketpair: %s\n", g_strerror(errno));
        return -1;
    }
    if ((pid = fork()) < 0) {
        fprintf(stderr, "proxyfsbench: fork: %s\n", g_strerror(errno));
        close(sv[0]);
        close(sv[1]);
        return -1;
    }
    if (pid == 0) {
        struct sigaction dfl = { .sa_handler = SIG_DFL };

        /* nothing of ours (helper sockets above all, whose EOF stops
         * the helpers) may stay open here */
        sigaction(SIGINT, &dfl, NULL);
        sigaction(SIGTERM, &dfl, NULL);
        sigaction(SIGHUP, &dfl, NULL);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (run->pinChildren)
            sched_setaffinity(0, sizeof(run->childCpus), &run->childCpus);
        if (getppid() == 1 || pfsCloseFdsExcept(3, &sv[1], 1) < 0)
            _exit(1);
        pfsBenchEchoServe(sv[1]);
    }
    close(sv[1]);
    t->conn = pfsTestHelperAdopt(pid, sv[0]);
    return 0;
}


/* One round trip of a request-sized @frame. */
static int32_t
pfsBenchEcho(pfsBenchTarget *t, const pfsTestMsg *frame)
{
    t->served++;
    if (pfsTestExchange(t->conn, frame, t->reply) < 0)
        return pfsBenchConnFailed(t, NULL);
    if (t->reply->klass != PFS_PROXY_REPLY_FD) {
        t->plain++;
        return 0;
    }
    if (t->reply->fd < 0)
        return pfsBenchConnFailed(t, "reading an echoed fd");
    pfsTestReplyClear(t->reply);
    t->fds++;
    return 0;
}


static int
pfsBenchStepEcho(pfsBenchRun *run, pfsBenchTarget *t, guint64 i)
{
    return pfsBenchEcho(t, run->echoFrame) < 0 ? -1 : 1;
}


static int
pfsBenchStepEchoFd(pfsBenchRun *run, pfsBenchTarget *t, guint64 i)
{
    return pfsBenchEcho(t, run->echoFdFrame) < 0 ? -1 : 1;
}


const pfsBenchOp pfsBenchEchoOp = {
    .name = "echo", .what = "bare round trip", .step = pfsBenchStepEcho,
};
const pfsBenchOp pfsBenchEchoFdOp = {
    .name = "echo-fd", .what = "bare round trip with an fd", .step = pfsBenchStepEchoFd,
};
