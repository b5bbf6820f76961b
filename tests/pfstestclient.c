/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfstestclient.c: a client of the proxy protocol, for tests and tools
 */
#include "pfsinternal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pfserror.h"
#include "pfsfdpass.h"
#include "pfsfile.h"
#include "pfsready.h"
#include "pfstestclient.h"
#include "pfstestutils.h"

/* A reply that takes longer than this means the helper hangs. */
#define PFS_TEST_REPLY_TIMEOUT_S 10
#define PFS_TEST_EXIT_TIMEOUT_MS 10000

volatile sig_atomic_t pfsTestInterrupted;


/* Timeouts instead of a poll() before each read: a benchmark sends
 * millions of requests, and a helper that hangs must not hang anything. */
static void
pfsTestHelperArm(pfsTestHelper *helper)
{
    struct timeval tv = { .tv_sec = PFS_TEST_REPLY_TIMEOUT_S };

    setsockopt(helper->sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(helper->sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    helper->armed = true;
}


pfsTestHelper *
pfsTestHelperAdopt(pid_t pid, int sock)
{
    pfsTestHelper *helper = g_new0(pfsTestHelper, 1);

    helper->pid = pid;
    helper->sock = sock;
    helper->ready = -1;
    pfsTestHelperArm(helper);
    return helper;
}


pfsTestHelper *
pfsTestHelperStart(const char *binary,
                   const char *exportPath,
                   const char *const *extra)
{
    /* a program that runs our helper in a changed world (an older
     * kernel, say): argv[1] is the helper */
    bool qemus = strstr(binary, "virtfs-proxy-helper") != NULL;
    const char *wrapper[] = { qemus ? NULL : g_getenv("PFS_TEST_HELPER_WRAPPER"), NULL };
    pfsTestHelperOptions opts = {
        .wrapper = wrapper,
        .extra = extra,
        /* as a normal user the helper only serves when told it may do
         * so without a sandbox (QEMU's helper does not take the option) */
        .unprivileged = geteuid() != 0 && !qemus,
        .logfd = -1,
    };

    return pfsTestHelperStartFull(binary, exportPath, &opts);
}


static GPtrArray *
pfsTestHelperArgv(const char *binary, const char *exportPath, int sock,
                  int readyfd, const pfsTestHelperOptions *opts)
{
    GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
    const char *const *arg;

    for (arg = opts->wrapper; arg && *arg; arg++)
        g_ptr_array_add(argv, g_strdup(*arg));
    g_ptr_array_add(argv, g_strdup(binary));
    g_ptr_array_add(argv, g_strdup("-n"));
    g_ptr_array_add(argv, g_strdup("-p"));
    g_ptr_array_add(argv, g_strdup(exportPath));
    g_ptr_array_add(argv, g_strdup("-f"));
    g_ptr_array_add(argv, g_strdup_printf("%d", sock));
    if (readyfd >= 0) {
        g_ptr_array_add(argv, g_strdup("--ready-fd"));
        g_ptr_array_add(argv, g_strdup_printf("%d", readyfd));
    }
    for (arg = opts->extra; arg && *arg; arg++)
        g_ptr_array_add(argv, g_strdup(*arg));
    if (opts->unprivileged)
        g_ptr_array_add(argv, g_strdup("--unprivileged"));
    g_ptr_array_add(argv, NULL);
    return argv;
}


pfsTestHelper *
pfsTestHelperStartFull(const char *binary,
                       const char *exportPath,
                       const pfsTestHelperOptions *opts)
{
    g_autoptr(pfsTestHelper) helper = g_new0(pfsTestHelper, 1);
    g_autoptr(GPtrArray) argv = NULL;
    g_auto(GStrv) env = NULL;
    g_autofree char *program = NULL;
    PFS_AUTOCLOSE ownLog = -1;
    PFS_AUTOCLOSE theirs = -1;
    PFS_AUTOCLOSE theirReady = -1;
    int logfd = opts->logfd;
    int sv[2];
    int rp[2];
    pid_t pid;

    helper->pid = -1;
    helper->sock = -1;
    helper->ready = -1;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        pfsTestWarn("socketpair: %s", g_strerror(errno));
        return NULL;
    }
    helper->sock = sv[0];
    theirs = sv[1];
    if (opts->ready) {
        if (pipe2(rp, O_CLOEXEC) < 0) {
            pfsTestWarn("pipe: %s", g_strerror(errno));
            return NULL;
        }
        helper->ready = rp[0];
        theirReady = rp[1];
    }
    if (logfd < 0) {
        helper->logPath = g_strdup_printf("%s/pfstest-helper-XXXXXX", g_get_tmp_dir());
        if ((ownLog = g_mkstemp_full(helper->logPath, O_RDWR | O_CLOEXEC, 0600)) < 0) {
            pfsTestWarn("mkstemp: %s", g_strerror(errno));
            g_clear_pointer(&helper->logPath, g_free);
            return NULL;
        }
        logfd = ownLog;
    }

    argv = pfsTestHelperArgv(binary, exportPath, theirs, theirReady, opts);
    if (!(program = g_find_program_in_path(g_ptr_array_index(argv, 0)))) {
        pfsTestWarn("cannot find '%s'", (char *)g_ptr_array_index(argv, 0));
        return NULL;
    }
    env = g_get_environ();
    if (opts->cLocale)
        env = g_environ_setenv(env, "LC_ALL", "C", TRUE);

    if ((pid = fork()) < 0) {
        pfsTestWarn("fork: %s", g_strerror(errno));
        return NULL;
    }
    if (pid == 0) {
        /* async-signal-safe calls only, until exec */
        int nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        struct sigaction dfl = { .sa_handler = SIG_DFL };

        if (nullfd >= 0)
            dup2(nullfd, STDIN_FILENO);
        dup2(logfd, STDOUT_FILENO);
        dup2(logfd, STDERR_FILENO);
        /* what a launcher gives it: QEMU's helper installs no SIGPIPE
         * handler, and must not get a caller's SIG_IGN */
        sigaction(SIGPIPE, &dfl, NULL);
        if (opts->cpus)
            sched_setaffinity(0, sizeof(*opts->cpus), opts->cpus);
        fcntl(theirs, F_SETFD, 0);
        if (theirReady >= 0)
            fcntl(theirReady, F_SETFD, 0);
        execve(program, (char **)argv->pdata, env);
        _exit(127);
    }

    helper->pid = pid;
    pfsTestHelperArm(helper);
    return g_steal_pointer(&helper);
}


pfsTestReadyState
pfsTestHelperWaitReady(pfsTestHelper *helper, int ms, char **reason)
{
    int r;

    *reason = NULL;
    if (helper->ready < 0)
        return PFS_TEST_READY_SERVING;
    r = pfsReadyWait(helper->ready, ms, reason);
    pfsForceClose(&helper->ready);
    switch ((pfsReadyResult)r) {
    case PFS_READY_OK:
        g_clear_pointer(reason, g_free);
        return PFS_TEST_READY_SERVING;
    case PFS_READY_FAILED:
        return PFS_TEST_READY_REFUSED;
    case PFS_READY_TIMEOUT:
        *reason = g_strdup("not ready in time");
        return PFS_TEST_READY_TIMEOUT;
    case PFS_READY_NO_REPORT:
    case PFS_READY_LAST:
        break;
    }
    if (r < 0) {
        *reason = g_strdup(pfsErrorLastMessage());
        return PFS_TEST_READY_TIMEOUT;
    }
    return PFS_TEST_READY_EXITED;
}


int
pfsTestHelperWaitExit(pfsTestHelper *helper, int ms)
{
    int status;
    int waited;

    if (helper->pid <= 0)
        return -1;
    for (waited = 0; waited <= ms; waited += 5) {
        pid_t r = waitpid(helper->pid, &status, WNOHANG);
        if (r == helper->pid) {
            helper->pid = 0;
            return status;
        }
        if (r < 0 && errno != EINTR)
            return -1;
        g_usleep(5000);
    }
    return -1;
}


void
pfsTestHelperHangUp(pfsTestHelper *helper)
{
    pfsForceClose(&helper->sock);
    pfsForceClose(&helper->ready);
}


int
pfsTestHelperReap(pfsTestHelper *helper, int ms)
{
    int status = -1;

    if (helper->pid > 0) {
        status = pfsTestHelperWaitExit(helper, ms);
        if (status == -1) {
            kill(helper->pid, SIGKILL);
            while (waitpid(helper->pid, &status, 0) < 0 && errno == EINTR)
                ;
            helper->pid = 0;
        }
    }
    return status;
}


int
pfsTestHelperFinish(pfsTestHelper *helper)
{
    pfsTestHelperHangUp(helper);
    return pfsTestHelperReap(helper, PFS_TEST_EXIT_TIMEOUT_MS);
}


void
pfsTestHelperFree(pfsTestHelper *helper)
{
    if (!helper)
        return;
    if (helper->pid > 0 || helper->sock >= 0 || helper->ready >= 0)
        pfsTestHelperFinish(helper);
    if (helper->logPath)
        unlink(helper->logPath);
    g_free(helper->logPath);
    g_free(helper);
}


char *
pfsTestHelperLog(pfsTestHelper *helper)
{
    char *content = NULL;

    if (!helper->logPath ||
        !g_file_get_contents(helper->logPath, &content, NULL, NULL))
        return g_strdup("");
    return content;
}


void
pfsTestMsgBegin(pfsTestMsg *msg, uint32_t type)
{
    uint32_t zero = 0;

    memcpy(msg->buf, &type, 4);
    memcpy(msg->buf + 4, &zero, 4);
    msg->len = PFS_PROXY_HEADER_SIZE;
}


void
pfsTestMsgBytes(pfsTestMsg *msg, const void *data, size_t len)
{
    g_assert(msg->len + len <= sizeof(msg->buf));
    memcpy(msg->buf + msg->len, data, len);
    msg->len += len;
}


void
pfsTestMsgU32(pfsTestMsg *msg, uint32_t val)
{
    pfsTestMsgBytes(msg, &val, sizeof(val));
}


void
pfsTestMsgU64(pfsTestMsg *msg, uint64_t val)
{
    pfsTestMsgBytes(msg, &val, sizeof(val));
}


static void
pfsTestMsgString(pfsTestMsg *msg, const void *data, size_t len)
{
    uint16_t n = len;

    g_assert(len <= 0xFFFF);
    pfsTestMsgBytes(msg, &n, sizeof(n));
    pfsTestMsgBytes(msg, data, len);
}


void
pfsTestMsgStr(pfsTestMsg *msg, const char *str)
{
    pfsTestMsgString(msg, str, strlen(str));
}


void
pfsTestMsgPath(pfsTestMsg *msg, const char *path)
{
    pfsTestMsgString(msg, path, strlen(path) + 1);
}


void
pfsTestMsgEnd(pfsTestMsg *msg)
{
    uint32_t size = msg->len - PFS_PROXY_HEADER_SIZE;

    memcpy(msg->buf + 4, &size, 4);
}


void
pfsTestMsgBuildv(pfsTestMsg *msg, uint32_t type, const char *fmt, va_list ap)
{
    pfsTestMsgBegin(msg, type);
    for (; *fmt; fmt++) {
        switch (*fmt) {
        case 'd':
            pfsTestMsgU32(msg, va_arg(ap, uint32_t));
            break;
        case 'q':
            pfsTestMsgU64(msg, va_arg(ap, uint64_t));
            break;
        case 's':
            pfsTestMsgStr(msg, va_arg(ap, const char *));
            break;
        case 'p':
            pfsTestMsgPath(msg, va_arg(ap, const char *));
            break;
        default:
            g_assert_not_reached();
        }
    }
    pfsTestMsgEnd(msg);
}


void
pfsTestMsgBuild(pfsTestMsg *msg, uint32_t type, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    pfsTestMsgBuildv(msg, type, fmt, ap);
    va_end(ap);
}


pfsProxyReplyClass
pfsTestReplyClassOf(const pfsTestMsg *msg)
{
    uint32_t type;
    int32_t size = 1;

    memcpy(&type, msg->buf, 4);
    switch (type) {
    case PFS_PROXY_T_OPEN:
    case PFS_PROXY_T_CREATE:
        return PFS_PROXY_REPLY_FD;
    case PFS_PROXY_T_LSTAT:
    case PFS_PROXY_T_READLINK:
    case PFS_PROXY_T_STATFS:
    case PFS_PROXY_T_GETVERSION:
        return PFS_PROXY_REPLY_DATA;
    case PFS_PROXY_T_LGETXATTR:
    case PFS_PROXY_T_LLISTXATTR:
        if (msg->len >= PFS_PROXY_HEADER_SIZE + 4)
            memcpy(&size, msg->buf + PFS_PROXY_HEADER_SIZE, 4);
        return size == 0 ? PFS_PROXY_REPLY_STATUS : PFS_PROXY_REPLY_DATA;
    default:
        return PFS_PROXY_REPLY_STATUS;
    }
}


/* Record why the connection failed; returns -1. */
static int
pfsTestHelperFailed(pfsTestHelper *helper, const char *what, int err)
{
    helper->failure = what;
    helper->failureErrno = err;
    return -1;
}


int
pfsTestSendRaw(pfsTestHelper *helper, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    size_t done = 0;

    if (!helper->armed)
        pfsTestHelperArm(helper);
    while (done < len) {
        ssize_t r = send(helper->sock, p + done, len - done, MSG_NOSIGNAL);
        if (r < 0) {
            if (errno == EINTR && !pfsTestInterrupted)
                continue;
            return pfsTestHelperFailed(helper, "sending", errno);
        }
        done += r;
    }
    return 0;
}


void
pfsTestReplyClear(pfsTestReply *reply)
{
    pfsForceClose(&reply->fd);
}


static int
pfsTestRecvFd(pfsTestHelper *helper, pfsTestReply *reply)
{
    int32_t datum;
    ssize_t r = pfsFDRecvWithData(helper->sock, &datum, sizeof(datum), &reply->fd);

    if (r != sizeof(datum)) {
        pfsForceClose(&reply->fd);
        return pfsTestHelperFailed(helper, "reading an fd reply", r < 0 ? errno : 0);
    }
    reply->status = datum;
    return 0;
}


/* A framed reply: header and payload with one recvmsg() when they are
 * both there, as the helper sends them. */
static int
pfsTestRecvFrame(pfsTestHelper *helper, pfsTestReply *reply)
{
    uint8_t header[PFS_PROXY_HEADER_SIZE];
    size_t have = 0;

    while (have < sizeof(header) || have < sizeof(header) + reply->size) {
        struct iovec iov[2];
        struct msghdr mh = { .msg_iov = iov };
        ssize_t r;

        if (have < sizeof(header)) {
            iov[0] = (struct iovec){ header + have, sizeof(header) - have };
            iov[1] = (struct iovec){ reply->data, sizeof(reply->data) };
            mh.msg_iovlen = 2;
        } else {
            size_t got = have - sizeof(header);

            iov[0] = (struct iovec){ reply->data + got, reply->size - got };
            mh.msg_iovlen = 1;
        }
        r = recvmsg(helper->sock, &mh, 0);
        if (r < 0 && errno == EINTR && !pfsTestInterrupted)
            continue;
        if (r <= 0)
            return pfsTestHelperFailed(helper, "reading a reply", r < 0 ? errno : 0);
        have += r;
        if (have >= sizeof(header)) {
            memcpy(&reply->type, header, 4);
            memcpy(&reply->size, header + 4, 4);
            if (reply->size > PFS_PROXY_MAX_PAYLOAD)
                return pfsTestHelperFailed(helper, "reading an oversized reply", 0);
            /* more than the frame: the helper sent what nobody asked for */
            if (have > sizeof(header) + reply->size)
                return pfsTestHelperFailed(helper, "reading a reply longer than its header", 0);
        }
    }
    return 0;
}


int
pfsTestExchange(pfsTestHelper *helper, const pfsTestMsg *msg,
                pfsTestReply *reply)
{
    reply->klass = pfsTestReplyClassOf(msg);
    reply->status = 0;
    reply->type = 0;
    reply->size = 0;
    reply->fd = -1;

    if (pfsTestSendRaw(helper, msg->buf, msg->len) < 0)
        return -1;
    if (reply->klass == PFS_PROXY_REPLY_FD)
        return pfsTestRecvFd(helper, reply);

    if (pfsTestRecvFrame(helper, reply) < 0)
        return -1;
    if (reply->klass == PFS_PROXY_REPLY_STATUS ||
        reply->type == PFS_PROXY_T_ERROR) {
        if (reply->size < 4)
            return pfsTestHelperFailed(helper, "decoding a status reply", 0);
        memcpy(&reply->status, reply->data, 4);
    }
    return 0;
}


/* Send and return the status, keeping the reply for the caller. */
static int32_t
pfsTestCall(pfsTestHelper *h, pfsTestMsg *msg, pfsTestReply *reply)
{
    pfsTestMsgEnd(msg);
    if (pfsTestExchange(h, msg, reply) < 0)
        return PFS_TEST_CONN_FAILED;
    return reply->status;
}


static int32_t
pfsTestCallSimple(pfsTestHelper *h, pfsTestMsg *msg)
{
    g_autofree pfsTestReply *reply = g_new0(pfsTestReply, 1);
    int32_t r = pfsTestCall(h, msg, reply);

    pfsTestReplyClear(reply);
    return r;
}


int32_t
pfsTestCallf(pfsTestHelper *h, uint32_t type, const char *fmt, ...)
{
    g_autofree pfsTestMsg *msg = g_new0(pfsTestMsg, 1);
    va_list ap;

    va_start(ap, fmt);
    pfsTestMsgBuildv(msg, type, fmt, ap);
    va_end(ap);
    return pfsTestCallSimple(h, msg);
}


/* Send and return the status; the fd received goes to *@fd, or is closed. */
static int32_t
pfsTestCallFd(pfsTestHelper *h, pfsTestMsg *msg, int *fd)
{
    g_autofree pfsTestReply *reply = g_new0(pfsTestReply, 1);
    int32_t r = pfsTestCall(h, msg, reply);

    if (fd) {
        *fd = reply->fd;
        reply->fd = -1;
    }
    pfsTestReplyClear(reply);
    return r;
}


int32_t
pfsTestOpen(pfsTestHelper *h, const char *path, int flags, int *fd)
{
    g_autofree pfsTestMsg *msg = g_new0(pfsTestMsg, 1);

    pfsTestMsgBuild(msg, PFS_PROXY_T_OPEN, "pd", path, flags);
    return pfsTestCallFd(h, msg, fd);
}


int32_t
pfsTestCreate(pfsTestHelper *h, const char *path, int flags,
              mode_t mode, uint32_t uid, uint32_t gid, int *fd)
{
    g_autofree pfsTestMsg *msg = g_new0(pfsTestMsg, 1);

    pfsTestMsgBuild(msg, PFS_PROXY_T_CREATE, "sdddd", path, flags, mode, uid, gid);
    return pfsTestCallFd(h, msg, fd);
}


int32_t
pfsTestMknod(pfsTestHelper *h, uint32_t uid, uint32_t gid,
             const char *path, mode_t mode, dev_t rdev)
{
    return pfsTestCallf(h, PFS_PROXY_T_MKNOD, "ddsdq", uid, gid, path, mode, rdev);
}


int32_t
pfsTestMkdir(pfsTestHelper *h, uint32_t uid, uint32_t gid,
             const char *path, mode_t mode)
{
    return pfsTestCallf(h, PFS_PROXY_T_MKDIR, "ddsd", uid, gid, path, mode);
}


int32_t
pfsTestSymlink(pfsTestHelper *h, uint32_t uid, uint32_t gid,
               const char *target, const char *path)
{
    return pfsTestCallf(h, PFS_PROXY_T_SYMLINK, "ddss", uid, gid, target, path);
}


int32_t
pfsTestLink(pfsTestHelper *h, const char *oldpath, const char *newpath)
{
    return pfsTestCallf(h, PFS_PROXY_T_LINK, "ps", oldpath, newpath);
}


void
pfsTestDecodeStat(const uint8_t *data, struct stat *st)
{
    uint64_t q[13];
    uint32_t d[3];

    memcpy(&q[0], data, 24);
    memcpy(d, data + 24, 12);
    memcpy(&q[3], data + 36, 80);
    memset(st, 0, sizeof(*st));
    st->st_dev = q[0];
    st->st_ino = q[1];
    st->st_nlink = q[2];
    st->st_mode = d[0];
    st->st_uid = d[1];
    st->st_gid = d[2];
    st->st_rdev = q[3];
    st->st_size = q[4];
    st->st_blksize = q[5];
    st->st_blocks = q[6];
    st->st_atim.tv_sec = q[7];
    st->st_atim.tv_nsec = q[8];
    st->st_mtim.tv_sec = q[9];
    st->st_mtim.tv_nsec = q[10];
    st->st_ctim.tv_sec = q[11];
    st->st_ctim.tv_nsec = q[12];
}


/* A request on @path whose data reply has @size bytes, copied to @out
 * (unless NULL; *@copied says whether it was). */
static int32_t
pfsTestCallFixed(pfsTestHelper *h, uint32_t type, const char *path,
                 size_t size, void *out, bool *copied)
{
    g_autofree pfsTestMsg *msg = g_new0(pfsTestMsg, 1);
    g_autofree pfsTestReply *reply = g_new0(pfsTestReply, 1);
    int32_t r;

    pfsTestMsgBuild(msg, type, "p", path);
    r = pfsTestCall(h, msg, reply);
    if (r == 0 && reply->type == PFS_PROXY_T_SUCCESS) {
        if (reply->size != size)
            return PFS_TEST_CONN_FAILED;
        if (out)
            memcpy(out, reply->data, size);
        if (copied)
            *copied = out != NULL;
    }
    return r;
}


int32_t
pfsTestLstat(pfsTestHelper *h, const char *path, struct stat *st)
{
    uint8_t data[PFS_PROXY_STAT_SIZE];
    bool copied = false;
    int32_t r = pfsTestCallFixed(h, PFS_PROXY_T_LSTAT, path, sizeof(data),
                                 st ? data : NULL, &copied);

    if (copied)
        pfsTestDecodeStat(data, st);
    return r;
}


/* The length of a string reply (u16 length, then the bytes), or -1 if
 * the reply is not one. */
static int
pfsTestReplyStringLen(const pfsTestReply *reply)
{
    uint16_t n;

    if (reply->size < 2)
        return -1;
    memcpy(&n, reply->data, 2);
    return (size_t)n + 2 == reply->size ? n : -1;
}


int32_t
pfsTestReadlink(pfsTestHelper *h, const char *path, int32_t bufsize,
                char *out, size_t outlen)
{
    g_autofree pfsTestMsg *msg = g_new0(pfsTestMsg, 1);
    g_autofree pfsTestReply *reply = g_new0(pfsTestReply, 1);
    int32_t r;
    int n;

    pfsTestMsgBuild(msg, PFS_PROXY_T_READLINK, "pd", path, bufsize);
    r = pfsTestCall(h, msg, reply);
    if (r == 0 && reply->type == PFS_PROXY_T_SUCCESS) {
        if ((n = pfsTestReplyStringLen(reply)) < 0 || (size_t)n >= outlen)
            return PFS_TEST_CONN_FAILED;
        memcpy(out, reply->data + 2, n);
        out[n] = '\0';
    }
    return r;
}


int32_t
pfsTestStatfs(pfsTestHelper *h, const char *path, uint64_t fields[11])
{
    return pfsTestCallFixed(h, PFS_PROXY_T_STATFS, path, PFS_PROXY_STATFS_SIZE, fields, NULL);
}


int32_t
pfsTestChmod(pfsTestHelper *h, const char *path, mode_t mode)
{
    return pfsTestCallf(h, PFS_PROXY_T_CHMOD, "pd", path, mode);
}


int32_t
pfsTestChown(pfsTestHelper *h, const char *path, uint32_t uid, uint32_t gid)
{
    return pfsTestCallf(h, PFS_PROXY_T_CHOWN, "pdd", path, uid, gid);
}


int32_t
pfsTestTruncate(pfsTestHelper *h, const char *path, int64_t length)
{
    return pfsTestCallf(h, PFS_PROXY_T_TRUNCATE, "pq", path, length);
}


int32_t
pfsTestUtime(pfsTestHelper *h, const char *path,
             int64_t asec, int64_t ansec, int64_t msec, int64_t mnsec)
{
    return pfsTestCallf(h, PFS_PROXY_T_UTIME, "pqqqq", path, asec, ansec, msec, mnsec);
}


int32_t
pfsTestRename(pfsTestHelper *h, const char *oldpath, const char *newpath)
{
    return pfsTestCallf(h, PFS_PROXY_T_RENAME, "ss", oldpath, newpath);
}


int32_t
pfsTestRemove(pfsTestHelper *h, const char *path)
{
    return pfsTestCallf(h, PFS_PROXY_T_REMOVE, "s", path);
}


static int32_t
pfsTestXattrRead(pfsTestHelper *h, pfsTestMsg *msg, void *out, size_t *outlen)
{
    g_autofree pfsTestReply *reply = g_new0(pfsTestReply, 1);
    int32_t r = pfsTestCall(h, msg, reply);
    int n;

    if (r == 0 && reply->klass == PFS_PROXY_REPLY_DATA &&
        reply->type == PFS_PROXY_T_SUCCESS) {
        if ((n = pfsTestReplyStringLen(reply)) < 0 || !out || (size_t)n > *outlen)
            return PFS_TEST_CONN_FAILED;
        memcpy(out, reply->data + 2, n);
        *outlen = n;
    }
    return r;
}


int32_t
pfsTestGetxattr(pfsTestHelper *h, int32_t size, const char *path,
                const char *name, void *out, size_t *outlen)
{
    g_autofree pfsTestMsg *msg = g_new0(pfsTestMsg, 1);

    pfsTestMsgBegin(msg, PFS_PROXY_T_LGETXATTR);
    pfsTestMsgU32(msg, size);
    pfsTestMsgPath(msg, path);
    pfsTestMsgStr(msg, name);
    return pfsTestXattrRead(h, msg, out, outlen);
}


int32_t
pfsTestListxattr(pfsTestHelper *h, int32_t size, const char *path,
                 void *out, size_t *outlen)
{
    g_autofree pfsTestMsg *msg = g_new0(pfsTestMsg, 1);

    pfsTestMsgBegin(msg, PFS_PROXY_T_LLISTXATTR);
    pfsTestMsgU32(msg, size);
    pfsTestMsgPath(msg, path);
    return pfsTestXattrRead(h, msg, out, outlen);
}


int32_t
pfsTestSetxattr(pfsTestHelper *h, const char *path, const char *name,
                const void *value, size_t valuelen, int32_t size,
                int32_t flags)
{
    g_autofree pfsTestMsg *msg = g_new0(pfsTestMsg, 1);

    pfsTestMsgBegin(msg, PFS_PROXY_T_LSETXATTR);
    pfsTestMsgPath(msg, path);
    pfsTestMsgStr(msg, name);
    pfsTestMsgString(msg, value, valuelen);
    pfsTestMsgU32(msg, size);
    pfsTestMsgU32(msg, flags);
    return pfsTestCallSimple(h, msg);
}


int32_t
pfsTestRemovexattr(pfsTestHelper *h, const char *path, const char *name)
{
    return pfsTestCallf(h, PFS_PROXY_T_LREMOVEXATTR, "ps", path, name);
}


int32_t
pfsTestGetversion(pfsTestHelper *h, const char *path, uint64_t *version)
{
    return pfsTestCallFixed(h, PFS_PROXY_T_GETVERSION, path, sizeof(*version), version, NULL);
}
