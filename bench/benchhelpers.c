/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * benchhelpers.c: the targets of a benchmark, and the helpers among them
 *
 * A helper is started through the tests' client (tests/pfstestclient.c)
 * as a launcher would, waited for until ready, and checked the way QEMU
 * does at device realize. Requests reach it as QEMU sends them: paths
 * spelt "//name", every reply read and checked, any fd received closed.
 */
#include "pfsinternal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pfsfile.h"
#include "bench.h"

/* Start-up under valgrind takes seconds. */
#define PFS_BENCH_READY_TIMEOUT_MS 30000


pfsBenchTarget *
pfsBenchTargetNew(pfsBenchRun *run, pfsBenchTargetKind kind, const char *label,
                  const char *dirName)
{
    pfsBenchTarget *t = g_new0(pfsBenchTarget, 1);

    t->kind = kind;
    t->label = g_strdup(label);
    t->msg = run->msg;
    t->reply = run->reply;
    if (dirName) {
        t->exportPath = g_build_filename(run->top, dirName, NULL);
        if (mkdir(t->exportPath, 0755) < 0) {
            fprintf(stderr, "proxyfsbench: cannot create '%s': %s\n", t->exportPath,
                    g_strerror(errno));
            pfsBenchTargetFree(t);
            return NULL;
        }
    }
    return t;
}


void
pfsBenchTargetFree(pfsBenchTarget *t)
{
    if (!t)
        return;
    pfsTestHelperFree(t->conn);
    g_free(t->label);
    g_free(t->exportPath);
    g_free(t->logPath);
    g_free(t);
}


/* @whose ("the helper's") log at @path, if it holds anything. */
void
pfsBenchPrintLog(const char *path, const char *whose)
{
    g_autofree char *log = NULL;

    if (path && g_file_get_contents(path, &log, NULL, NULL) && log[0])
        fprintf(stderr, "proxyfsbench: %s log:\n%s", whose, log);
}


void
pfsBenchPrintTargetLog(pfsBenchTarget *t)
{
    g_autofree char *whose = g_strdup_printf("%s's", t->label);

    pfsBenchPrintLog(t->logPath, whose);
}


/* Start @spec on @exportPath with its end of a new socketpair, as a
 * launcher would: -n -p EXPORT -f FD, and for ours --ready-fd (and
 * --unprivileged when we are not root), in the C locale. */
pfsTestHelper *
pfsBenchSpawn(pfsBenchRun *run,
              const pfsBenchHelperSpec *spec,
              const char *exportPath,
              int logfd)
{
    pfsTestHelperOptions opts = {
        .wrapper = (const char *const *)run->wrapperArgv,
        .extra = (const char *const *)spec->extra,
        .unprivileged = spec->ours && geteuid() != 0,
        .ready = spec->ours,
        .cLocale = true,
        .logfd = logfd,
        .cpus = run->pinChildren ? &run->childCpus : NULL,
    };

    return pfsTestHelperStartFull(spec->path, exportPath, &opts);
}


/* Wait for the '0' that ours writes to --ready-fd once it serves.
 * Returns 0, or -1 with the reason on stderr. */
int
pfsBenchWaitReady(pfsTestHelper *conn, const char *label)
{
    g_autofree char *reason = NULL;

    switch (pfsTestHelperWaitReady(conn, PFS_BENCH_READY_TIMEOUT_MS, &reason)) {
    case PFS_TEST_READY_SERVING:
        return 0;
    case PFS_TEST_READY_REFUSED:
        fprintf(stderr, "proxyfsbench: %s did not start: %s\n", label, reason);
        break;
    case PFS_TEST_READY_EXITED:
        fprintf(stderr, "proxyfsbench: %s exited before it was ready\n", label);
        break;
    case PFS_TEST_READY_TIMEOUT:
        fprintf(stderr, "proxyfsbench: %s: %s\n", label, reason);
        break;
    }
    return -1;
}


/* @what failed, or (NULL) what the client says failed. */
int32_t
pfsBenchConnFailed(pfsBenchTarget *t, const char *what)
{
    int err = what ? 0 : t->conn->failureErrno;

    fprintf(stderr, "proxyfsbench: %s: connection failed while %s%s%s\n",
            t->label, what ? what : t->conn->failure,
            err ? ": " : "", err ? g_strerror(err) : "");
    return PFS_TEST_CONN_FAILED;
}


int
pfsBenchUnexpected(pfsBenchTarget *t, const char *what, int32_t got, int32_t want)
{
    if (got == PFS_TEST_CONN_FAILED)
        return -1;
    fprintf(stderr, "proxyfsbench: %s: %s answered %d (%s), expected %d\n",
            t->label, what, got, got < 0 ? g_strerror(-got) : "no error", want);
    return -1;
}


/* Send the request built in t->msg and check its reply as QEMU would.
 * A received fd is closed at once. Returns the status (>= 0, or a
 * -errno), or PFS_TEST_CONN_FAILED. */
static int32_t
pfsBenchCall(pfsBenchTarget *t)
{
    pfsTestReply *reply = t->reply;
    uint32_t type;

    memcpy(&type, t->msg->buf, sizeof(type));
    t->served++;
    if (pfsTestExchange(t->conn, t->msg, reply) < 0)
        return pfsBenchConnFailed(t, NULL);

    if (reply->klass == PFS_PROXY_REPLY_FD) {
        t->fds++;
        if (reply->status != PFS_PROXY_FD_VALID) {
            pfsTestReplyClear(reply);
            return reply->status < 0 ? reply->status :
                   pfsBenchConnFailed(t, "decoding an fd reply");
        }
        if (reply->fd < 0)
            return -ENFILE;  /* what QEMU makes of a lost fd */
        pfsTestReplyClear(reply);
        return 0;
    }

    t->plain++;
    if (reply->type == PFS_PROXY_T_ERROR || reply->klass == PFS_PROXY_REPLY_STATUS)
        return reply->status;
    if ((type == PFS_PROXY_T_LSTAT && reply->size != PFS_PROXY_STAT_SIZE) ||
        (type == PFS_PROXY_T_STATFS && reply->size != PFS_PROXY_STATFS_SIZE))
        return pfsBenchConnFailed(t, "decoding a data reply");
    return 0;
}


/* A path as QEMU sends it: the root is "/", a child "//name", and so on. */
static const char *
pfsBenchWire(pfsBenchTarget *t, int slot, const char *rel)
{
    g_snprintf(t->wire[slot], sizeof(t->wire[slot]), "//%s", rel);
    return t->wire[slot];
}


/* @req on the wire, as QEMU 7.2 encodes each request. */
int32_t
pfsBenchRemote(pfsBenchTarget *t, const pfsBenchReq *req)
{
    const char *path = pfsBenchWire(t, 0, req->path);
    pfsTestMsg *m = t->msg;

    switch (req->type) {
    case PFS_PROXY_T_LSTAT:
    case PFS_PROXY_T_STATFS:
        pfsTestMsgBuild(m, req->type, "p", path);
        break;
    case PFS_PROXY_T_OPEN:
        pfsTestMsgBuild(m, req->type, "pd", path, req->flags);
        break;
    case PFS_PROXY_T_CREATE:
        pfsTestMsgBuild(m, req->type, "sdddd", path, req->flags, req->mode,
                        req->uid, req->gid);
        break;
    case PFS_PROXY_T_MKDIR:
        pfsTestMsgBuild(m, req->type, "ddsd", req->uid, req->gid, path, req->mode);
        break;
    case PFS_PROXY_T_SYMLINK:
        pfsTestMsgBuild(m, req->type, "ddss", req->uid, req->gid, req->other, path);
        break;
    case PFS_PROXY_T_REMOVE:
        pfsTestMsgBuild(m, req->type, "s", path);
        break;
    case PFS_PROXY_T_CHMOD:
        pfsTestMsgBuild(m, req->type, "pd", path, req->mode);
        break;
    case PFS_PROXY_T_CHOWN:
        pfsTestMsgBuild(m, req->type, "pdd", path, req->uid, req->gid);
        break;
    case PFS_PROXY_T_TRUNCATE:
        pfsTestMsgBuild(m, req->type, "pq", path, (uint64_t)req->num);
        break;
    case PFS_PROXY_T_UTIME:
        pfsTestMsgBuild(m, req->type, "pqqqq", path, (uint64_t)req->num,
                        (uint64_t)req->nsec, (uint64_t)req->num, (uint64_t)req->nsec);
        break;
    case PFS_PROXY_T_RENAME:
        pfsTestMsgBuild(m, req->type, "ss", path, pfsBenchWire(t, 1, req->other));
        break;
    case PFS_PROXY_T_READLINK:
        pfsTestMsgBuild(m, req->type, "pd", path, PFS_BENCH_READLINK_BUF);
        break;
    case PFS_PROXY_T_LGETXATTR:
        pfsTestMsgBuild(m, req->type, "dps", req->size, path, PFS_BENCH_XATTR_NAME);
        break;
    case PFS_PROXY_T_LSETXATTR:
        pfsTestMsgBuild(m, req->type, "pssdd", path, PFS_BENCH_XATTR_NAME,
                        PFS_BENCH_XATTR_VALUE, PFS_BENCH_XATTR_LEN, 0);
        break;
    PFS_BENCH_CASE_UNSENT:
    default:
        /* no operation sends these */
        return -ENOSYS;
    }
    return pfsBenchCall(t);
}


/* Check the connection the way QEMU does at device realize: T_LSTAT "/"
 * must answer with a directory. */
int
pfsBenchRealize(pfsBenchTarget *t)
{
    struct stat st;
    int32_t r;

    pfsTestMsgBuild(t->msg, PFS_PROXY_T_LSTAT, "p", "/");
    if ((r = pfsBenchCall(t)) != 0)
        return pfsBenchUnexpected(t, "T_LSTAT \"/\"", r, 0);
    pfsTestDecodeStat(t->reply->data, &st);
    if (!S_ISDIR(st.st_mode)) {
        fprintf(stderr, "proxyfsbench: %s: the export root is not a directory\n", t->label);
        return -1;
    }
    return 0;
}


pfsBenchTarget *
pfsBenchHelperStart(pfsBenchRun *run, const pfsBenchHelperSpec *spec, size_t index)
{
    g_autofree char *dirName = g_strdup_printf("export-%zu-%s", index, spec->label);
    pfsBenchTarget *t = pfsBenchTargetNew(run, PFS_BENCH_TARGET_HELPER, spec->label, dirName);
    PFS_AUTOCLOSE logfd = -1;

    if (!t)
        return NULL;
    t->spec = spec;
    t->logPath = g_strdup_printf("%s/%s.log", run->top, dirName);
    if ((logfd = open(t->logPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
        fprintf(stderr, "proxyfsbench: cannot create '%s': %s\n", t->logPath, g_strerror(errno));
        goto error;
    }
    if (pfsBenchFixtures(run, t) < 0)
        goto error;
    if (!(t->conn = pfsBenchSpawn(run, spec, t->exportPath, logfd)))
        goto error;
    if (pfsBenchWaitReady(t->conn, t->label) < 0 || pfsBenchRealize(t) < 0) {
        g_clear_pointer(&t->conn, pfsTestHelperFree);
        pfsBenchPrintTargetLog(t);
        goto error;
    }
    return t;

 error:
    pfsBenchTargetFree(t);
    return NULL;
}


/* Stop a helper or the echo child; reports an unexpected end. */
void
pfsBenchTargetStop(pfsBenchTarget *t)
{
    int status;

    if (!t->conn)
        return;
    status = pfsTestHelperFinish(t->conn);
    g_clear_pointer(&t->conn, pfsTestHelperFree);
    if (t->kind == PFS_BENCH_TARGET_HELPER &&
        !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
        fprintf(stderr, "proxyfsbench: %s ended with %s %d\n", t->label,
                WIFSIGNALED(status) ? "signal" : "status",
                WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
        pfsBenchPrintTargetLog(t);
    }
}
