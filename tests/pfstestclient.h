/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfstestclient.h: a client of the proxy protocol, for tests and tools
 *
 * It starts any helper that takes QEMU's command line (ours or QEMU's
 * virtfs-proxy-helper) on one end of a socketpair and talks to it the
 * way QEMU does: build a request, send it, read the reply of the class
 * the request type calls for.
 */
#pragma once

#include "pfsinternal.h"

#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "proxyfs_protocol.h"

typedef struct _pfsTestHelper pfsTestHelper;
struct _pfsTestHelper {
    pid_t pid;
    int sock;
    int ready;           /* read end of --ready-fd, or -1 */
    char *logPath;       /* the helper's stderr, when the client made it */
    bool armed;          /* sock has its timeouts */
    /* why the last call failed ("reading a reply"), and its errno or 0 */
    const char *failure;
    int failureErrno;
};

/* How to start a helper; pfsTestHelperStart() fills it in for the tests. */
typedef struct _pfsTestHelperOptions pfsTestHelperOptions;
struct _pfsTestHelperOptions {
    const char *const *wrapper;  /* run it under this command (strace ...) */
    const char *const *extra;    /* more arguments, after -n -p -f */
    bool unprivileged;           /* add --unprivileged */
    bool ready;                  /* pass --ready-fd: see pfsTestHelperWaitReady() */
    bool cLocale;                /* LC_ALL=C, as the QEMU driver runs it */
    int logfd;                   /* its stdout and stderr; -1: a file of its own */
    const cpu_set_t *cpus;       /* pin it to these CPUs, or NULL */
};

/* A program that catches signals (the benchmark) sets this from its
 * handler: a call that a signal interrupts then fails instead of
 * retrying, so that the program can clean up. */
extern volatile sig_atomic_t pfsTestInterrupted;

/* Start @binary -n -p @exportPath -f N [@extra...] the way the tests do
 * (under $PFS_TEST_HELPER_WRAPPER if set, --unprivileged when not root).
 * Returns NULL (with a message on stderr) on failure. */
pfsTestHelper *pfsTestHelperStart(const char *binary,
                                  const char *exportPath,
                                  const char *const *extra);

/* The same, as @opts says. */
pfsTestHelper *pfsTestHelperStartFull(const char *binary,
                                      const char *exportPath,
                                      const pfsTestHelperOptions *opts);

/* Our end of a connection to a process started otherwise. */
pfsTestHelper *pfsTestHelperAdopt(pid_t pid, int sock);

/* What a helper said on --ready-fd. */
typedef enum {
    PFS_TEST_READY_SERVING,      /* '0' (or started without --ready-fd) */
    PFS_TEST_READY_REFUSED,      /* '1' and its reason */
    PFS_TEST_READY_EXITED,       /* nothing: it closed the pipe */
    PFS_TEST_READY_TIMEOUT,      /* no answer in time, or waiting failed */
} pfsTestReadyState;

/* Wait at most @ms milliseconds for the helper's report on --ready-fd,
 * then close the pipe. *@reason gets the helper's reason (REFUSED) or
 * why waiting failed (TIMEOUT), else NULL. */
pfsTestReadyState pfsTestHelperWaitReady(pfsTestHelper *helper, int ms,
                                         char **reason);

/* Close our ends: the helper exits at the EOF of its socket. */
void pfsTestHelperHangUp(pfsTestHelper *helper);

/* Wait at most @ms milliseconds for the helper to exit, then kill it.
 * Returns its wait status, or -1 if it was already reaped. */
int pfsTestHelperReap(pfsTestHelper *helper, int ms);

/* Hang up, wait for the helper (10 s at most), and return its wait
 * status. */
int pfsTestHelperFinish(pfsTestHelper *helper);

/* Wait at most @ms milliseconds for the helper to exit by itself, without
 * closing the socket. Returns its wait status, or -1 if still running. */
int pfsTestHelperWaitExit(pfsTestHelper *helper, int ms);

void pfsTestHelperFree(pfsTestHelper *helper);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(pfsTestHelper, pfsTestHelperFree);

/* The helper's stderr so far ("" when its log is not the client's). */
char *pfsTestHelperLog(pfsTestHelper *helper);


/* A request being built. */
typedef struct _pfsTestMsg pfsTestMsg;
struct _pfsTestMsg {
    uint8_t buf[PFS_PROXY_MAX_FRAME + 16];
    size_t len;
};

void pfsTestMsgBegin(pfsTestMsg *msg, uint32_t type);
void pfsTestMsgU32(pfsTestMsg *msg, uint32_t val);
void pfsTestMsgU64(pfsTestMsg *msg, uint64_t val);
/* a string as QEMU's V9fsString: no NUL on the wire */
void pfsTestMsgStr(pfsTestMsg *msg, const char *str);
/* a path as QEMU's V9fsPath: the trailing NUL is sent and counted */
void pfsTestMsgPath(pfsTestMsg *msg, const char *path);
void pfsTestMsgBytes(pfsTestMsg *msg, const void *data, size_t len);
/* Fill in the header's size from what was added. */
void pfsTestMsgEnd(pfsTestMsg *msg);

/* A whole request from a format, one letter per argument: d = 32-bit,
 * q = 64-bit, s = string as QEMU's V9fsString, p = path as QEMU's
 * V9fsPath (NUL included). */
void pfsTestMsgBuild(pfsTestMsg *msg, uint32_t type, const char *fmt, ...);
void pfsTestMsgBuildv(pfsTestMsg *msg, uint32_t type, const char *fmt, va_list ap);


/* A reply as it came off the wire. */
typedef struct _pfsTestReply pfsTestReply;
struct _pfsTestReply {
    pfsProxyReplyClass klass;
    int32_t status;      /* fd replies: the datum; framed: s32 payload, or 0 */
    uint32_t type;       /* framed replies: header type */
    uint32_t size;       /* framed replies: header size */
    uint8_t data[PFS_PROXY_MAX_PAYLOAD];
    int fd;              /* fd replies: the fd received, or -1 */
};

/* The reply class QEMU expects for a request (xattr getters depend on
 * their size argument). */
pfsProxyReplyClass pfsTestReplyClassOf(const pfsTestMsg *msg);

int pfsTestSendRaw(pfsTestHelper *helper, const void *buf, size_t len);

/* Send @msg and read its reply: a framed one with a single read when it
 * is there (the benchmark measures with this). Returns 0, or -1 when the
 * connection failed (EOF, short or long reply, timeout of 10 s; see
 * helper->failure). */
int pfsTestExchange(pfsTestHelper *helper, const pfsTestMsg *msg,
                    pfsTestReply *reply);

void pfsTestReplyClear(pfsTestReply *reply);


/* Convenience calls: each returns the request's status (>= 0 or -errno),
 * or INT32_MIN if the connection failed. */
#define PFS_TEST_CONN_FAILED INT32_MIN

/* Send a request built from a format (see pfsTestMsgBuild) and return
 * its status. */
int32_t pfsTestCallf(pfsTestHelper *h, uint32_t type, const char *fmt, ...);

int32_t pfsTestOpen(pfsTestHelper *h, const char *path, int flags, int *fd);
int32_t pfsTestCreate(pfsTestHelper *h, const char *path, int flags,
                      mode_t mode, uint32_t uid, uint32_t gid, int *fd);
int32_t pfsTestMknod(pfsTestHelper *h, uint32_t uid, uint32_t gid,
                     const char *path, mode_t mode, dev_t rdev);
int32_t pfsTestMkdir(pfsTestHelper *h, uint32_t uid, uint32_t gid,
                     const char *path, mode_t mode);
int32_t pfsTestSymlink(pfsTestHelper *h, uint32_t uid, uint32_t gid,
                       const char *target, const char *path);
int32_t pfsTestLink(pfsTestHelper *h, const char *oldpath, const char *newpath);
int32_t pfsTestLstat(pfsTestHelper *h, const char *path, struct stat *st);
int32_t pfsTestReadlink(pfsTestHelper *h, const char *path, int32_t bufsize,
                        char *out, size_t outlen);
int32_t pfsTestStatfs(pfsTestHelper *h, const char *path, uint64_t fields[11]);
int32_t pfsTestChmod(pfsTestHelper *h, const char *path, mode_t mode);
int32_t pfsTestChown(pfsTestHelper *h, const char *path, uint32_t uid, uint32_t gid);
int32_t pfsTestTruncate(pfsTestHelper *h, const char *path, int64_t length);
int32_t pfsTestUtime(pfsTestHelper *h, const char *path,
                     int64_t asec, int64_t ansec, int64_t msec, int64_t mnsec);
int32_t pfsTestRename(pfsTestHelper *h, const char *oldpath, const char *newpath);
int32_t pfsTestRemove(pfsTestHelper *h, const char *path);
/* size 0 probes; otherwise the value is copied to @out (@outlen set). */
int32_t pfsTestGetxattr(pfsTestHelper *h, int32_t size, const char *path,
                        const char *name, void *out, size_t *outlen);
int32_t pfsTestListxattr(pfsTestHelper *h, int32_t size, const char *path,
                         void *out, size_t *outlen);
int32_t pfsTestSetxattr(pfsTestHelper *h, const char *path, const char *name,
                        const void *value, size_t valuelen, int32_t size,
                        int32_t flags);
int32_t pfsTestRemovexattr(pfsTestHelper *h, const char *path, const char *name);
int32_t pfsTestGetversion(pfsTestHelper *h, const char *path, uint64_t *version);

/* Decode a 116-byte stat reply. */
void pfsTestDecodeStat(const uint8_t *data, struct stat *st);
