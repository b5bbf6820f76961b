/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxyfsrobustnesstest.c: bad input gets an error reply or a clean exit,
 * never a crash, an over-read, a hang or a malformed reply
 */
#include "pfsinternal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "pfstestexport.h"
#include "pfstestutils.h"

#define H(state) (((pfsTestExport *)*(state))->helper)
#define EXP(state) ((pfsTestExport *)*(state))

static int
setupExport(void **state)
{
    pfsTestExport *exp = pfsTestExportNew(NULL, NULL);

    pfsTestWriteFile(exp->root, "f", "content");
    *state = exp;
    return 0;
}


static int
teardownExport(void **state)
{
    pfsTestExport *exp = *state;

    pfsTestExportStopHelper(exp);
    pfsTestExportCheckSentinel(exp);
    pfsTestExportFree(exp);
    return 0;
}


/* The helper must have ended by itself, by exit() rather than a signal,
 * with @code, without having sent anything. */
static void
assertHelperExited(void **state, int code)
{
    uint8_t byte;
    int status;
    ssize_t r;

    status = pfsTestHelperWaitExit(H(state), 5000);
    if (status == -1) {
        print_error("the helper is still running\n");
        fail();
    }
    if (!WIFEXITED(status)) {
        print_error("the helper was killed by signal %d\n", WTERMSIG(status));
        fail();
    }
    assert_int_equal(WEXITSTATUS(status), code);
    r = recv(H(state)->sock, &byte, 1, MSG_DONTWAIT);
    assert_int_equal(r, 0);
}


static void
sendHeader(void **state, uint32_t type, uint32_t size)
{
    uint32_t hdr[2] = { type, size };

    assert_int_equal(pfsTestSendRaw(H(state), hdr, sizeof(hdr)), 0);
}


static void
testOversizeFrame(void **state)
{
    g_autofree char *log = NULL;

    sendHeader(state, PFS_PROXY_T_LSTAT, PFS_PROXY_MAX_PAYLOAD + 1);
    assertHelperExited(state, 1);
    log = pfsTestHelperLog(H(state));
    assert_non_null(strstr(log, "65537"));
}


static void
testHugeFrame(void **state)
{
    sendHeader(state, PFS_PROXY_T_OPEN, 0xFFFFFFFF);
    assertHelperExited(state, 1);
}


static void
testLargestFrame(void **state)
{
    g_autofree pfsTestMsg *msg = g_new0(pfsTestMsg, 1);
    g_autofree pfsTestReply *reply = g_new0(pfsTestReply, 1);
    g_autofree char *path = g_malloc(65534 + 1);

    /* exactly 65536 bytes of payload is allowed: a 65534-byte path */
    memset(path, 'a', 65534);
    path[0] = '/';
    path[65534] = '\0';
    pfsTestMsgBegin(msg, PFS_PROXY_T_LSTAT);
    pfsTestMsgStr(msg, path);
    pfsTestMsgEnd(msg);
    assert_int_equal(msg->len, PFS_PROXY_MAX_FRAME);
    assert_int_equal(pfsTestExchange(H(state), msg, reply), 0);
    assert_int_equal(reply->type, PFS_PROXY_T_ERROR);
    assert_int_equal(reply->status, -ENAMETOOLONG);
}


static void
testUnknownType(void **state, uint32_t type)
{
    g_autofree char *log = NULL;

    sendHeader(state, type, 0);
    assertHelperExited(state, 1);
    log = pfsTestHelperLog(H(state));
    assert_non_null(strstr(log, "unknown type"));
}

static void testTypeSuccess(void **state) { testUnknownType(state, PFS_PROXY_T_SUCCESS); }
static void testTypeError(void **state) { testUnknownType(state, PFS_PROXY_T_ERROR); }
static void testTypeLast(void **state) { testUnknownType(state, PFS_PROXY_T_LAST); }
static void testTypeHuge(void **state) { testUnknownType(state, 0xFFFFFFFF); }


/* A complete, valid request of every type. */
static void
buildValid(pfsTestMsg *msg, uint32_t type)
{
    pfsTestMsgBegin(msg, type);
    switch ((pfsProxyType)type) {
    case PFS_PROXY_T_OPEN:
        pfsTestMsgPath(msg, "//f");
        pfsTestMsgU32(msg, O_RDONLY);
        break;
    case PFS_PROXY_T_CREATE:
        pfsTestMsgStr(msg, "//c");
        pfsTestMsgU32(msg, O_CREAT | O_RDWR);
        pfsTestMsgU32(msg, 0644);
        pfsTestMsgU32(msg, 0);
        pfsTestMsgU32(msg, 0);
        break;
    case PFS_PROXY_T_MKNOD:
        pfsTestMsgU32(msg, 0);
        pfsTestMsgU32(msg, 0);
        pfsTestMsgStr(msg, "//n");
        pfsTestMsgU32(msg, S_IFIFO | 0644);
        pfsTestMsgU64(msg, 0);
        break;
    case PFS_PROXY_T_MKDIR:
        pfsTestMsgU32(msg, 0);
        pfsTestMsgU32(msg, 0);
        pfsTestMsgStr(msg, "//d");
        pfsTestMsgU32(msg, 0755);
        break;
    case PFS_PROXY_T_SYMLINK:
        pfsTestMsgU32(msg, 0);
        pfsTestMsgU32(msg, 0);
        pfsTestMsgStr(msg, "f");
        pfsTestMsgStr(msg, "//s");
        break;
    case PFS_PROXY_T_LINK:
        pfsTestMsgPath(msg, "//f");
        pfsTestMsgStr(msg, "//l");
        break;
    case PFS_PROXY_T_LSTAT:
    case PFS_PROXY_T_STATFS:
    case PFS_PROXY_T_GETVERSION:
        pfsTestMsgPath(msg, "//f");
        break;
    case PFS_PROXY_T_READLINK:
        pfsTestMsgPath(msg, "//f");
        pfsTestMsgU32(msg, 4096);
        break;
    case PFS_PROXY_T_CHMOD:
        pfsTestMsgPath(msg, "//f");
        pfsTestMsgU32(msg, 0644);
        break;
    case PFS_PROXY_T_CHOWN:
        pfsTestMsgPath(msg, "//f");
        pfsTestMsgU32(msg, (uint32_t)-1);
        pfsTestMsgU32(msg, (uint32_t)-1);
        break;
    case PFS_PROXY_T_TRUNCATE:
        pfsTestMsgPath(msg, "//f");
        pfsTestMsgU64(msg, 7);
        break;
    case PFS_PROXY_T_UTIME:
        pfsTestMsgPath(msg, "//f");
        pfsTestMsgU64(msg, 1);
        pfsTestMsgU64(msg, UTIME_OMIT);
        pfsTestMsgU64(msg, 1);
        pfsTestMsgU64(msg, UTIME_OMIT);
        break;
    case PFS_PROXY_T_RENAME:
        pfsTestMsgStr(msg, "//f");
        pfsTestMsgStr(msg, "//f");
        break;
    case PFS_PROXY_T_REMOVE:
        pfsTestMsgStr(msg, "//nothing");
        break;
    case PFS_PROXY_T_LGETXATTR:
        pfsTestMsgU32(msg, 64);
        pfsTestMsgPath(msg, "//f");
        pfsTestMsgStr(msg, "user.a");
        break;
    case PFS_PROXY_T_LLISTXATTR:
        pfsTestMsgU32(msg, 64);
        pfsTestMsgPath(msg, "//f");
        break;
    case PFS_PROXY_T_LSETXATTR:
        pfsTestMsgPath(msg, "//f");
        pfsTestMsgStr(msg, "user.a");
        pfsTestMsgStr(msg, "v");
        pfsTestMsgU32(msg, 1);
        pfsTestMsgU32(msg, 0);
        break;
    case PFS_PROXY_T_LREMOVEXATTR:
        pfsTestMsgPath(msg, "//f");
        pfsTestMsgStr(msg, "user.a");
        break;
    case PFS_PROXY_T_SUCCESS:
    case PFS_PROXY_T_ERROR:
    case PFS_PROXY_T_LAST:
    default:
        fail();
    }
    pfsTestMsgEnd(msg);
}


/* Every request cut short at every length: -ENOBUFS, in the reply class
 * of its type, and the connection stays usable. */
static void
testTruncatedPayloads(void **state)
{
    g_autofree pfsTestMsg *full = g_new0(pfsTestMsg, 1);
    g_autofree pfsTestMsg *cut = g_new0(pfsTestMsg, 1);
    g_autofree pfsTestReply *reply = g_new0(pfsTestReply, 1);
    uint32_t type;
    unsigned int cases = 0;

    for (type = PFS_PROXY_T_OPEN; type < PFS_PROXY_T_LAST; type++) {
        size_t len;

        buildValid(full, type);
        for (len = PFS_PROXY_HEADER_SIZE; len < full->len; len++) {
            uint32_t size = len - PFS_PROXY_HEADER_SIZE;

            memcpy(cut->buf, full->buf, len);
            memcpy(cut->buf + 4, &size, 4);
            cut->len = len;
            if (pfsTestExchange(H(state), cut, reply) < 0) {
                print_error("type %u cut at %zu: no reply\n", type, len);
                fail();
            }
            if (reply->klass != PFS_PROXY_REPLY_FD) {
                assert_int_equal(reply->type, PFS_PROXY_T_ERROR);
                assert_int_equal(reply->size, 4);
            }
            if (reply->status != -ENOBUFS) {
                print_error("type %u cut at %zu: status %d\n", type, len, reply->status);
                fail();
            }
            assert_int_equal(reply->fd, -1);
            cases++;
        }

        /* and whole, with garbage after it: the garbage is ignored */
        memcpy(cut->buf, full->buf, full->len);
        cut->len = full->len;
        pfsTestMsgBytes(cut, "garbage", 7);
        pfsTestMsgEnd(cut);
        assert_int_equal(pfsTestExchange(H(state), cut, reply), 0);
        assert_true(reply->status != -ENOBUFS);
        pfsTestReplyClear(reply);
    }
    print_message("[   INFO   ] %u truncated requests\n", cases);
}


static void
testStringPastEnd(void **state)
{
    g_autofree pfsTestMsg *msg = g_new0(pfsTestMsg, 1);
    g_autofree pfsTestReply *reply = g_new0(pfsTestReply, 1);
    uint16_t n = 0xFFFF;

    pfsTestMsgBegin(msg, PFS_PROXY_T_LSTAT);
    pfsTestMsgBytes(msg, &n, 2);
    pfsTestMsgBytes(msg, "//f", 3);
    pfsTestMsgEnd(msg);
    assert_int_equal(pfsTestExchange(H(state), msg, reply), 0);
    assert_int_equal(reply->status, -ENOBUFS);
}


static void
testEmbeddedNul(void **state)
{
    g_autofree pfsTestMsg *msg = g_new0(pfsTestMsg, 1);
    g_autofree pfsTestReply *reply = g_new0(pfsTestReply, 1);
    g_autofree char *f = pfsTestExportPath(EXP(state), "f");
    const char value[] = { 'a', '\0', 'b' };
    char got[8];
    uint16_t n = 12;
    uint16_t namelen = 11;

    /* a NUL inside a path would cut it short ("//f"): refused */
    pfsTestMsgBegin(msg, PFS_PROXY_T_LSTAT);
    pfsTestMsgBytes(msg, &n, 2);
    pfsTestMsgBytes(msg, "//f\0/../../x", 12);
    pfsTestMsgEnd(msg);
    assert_int_equal(pfsTestExchange(H(state), msg, reply), 0);
    assert_int_equal(reply->type, PFS_PROXY_T_ERROR);
    assert_int_equal(reply->status, -EINVAL);

    /* and inside an xattr name */
    pfsTestMsgBegin(msg, PFS_PROXY_T_LREMOVEXATTR);
    pfsTestMsgPath(msg, "//f");
    pfsTestMsgBytes(msg, &namelen, 2);
    pfsTestMsgBytes(msg, "user.a\0junk", 11);
    pfsTestMsgEnd(msg);
    assert_int_equal(pfsTestExchange(H(state), msg, reply), 0);
    assert_int_equal(reply->status, -EINVAL);

    /* an xattr value is bytes: every one is stored */
    assert_int_equal(pfsTestSetxattr(H(state), "//f", "user.bin", value,
                                     sizeof(value), sizeof(value), 0), 0);
    assert_int_equal(lgetxattr(f, "user.bin", got, sizeof(got)), sizeof(value));
    assert_memory_equal(got, value, sizeof(value));
}


static void
testPathLimits(void **state)
{
    g_autofree char *longName = g_strnfill(NAME_MAX + 1, 'n');
    g_autofree char *path = g_strdup_printf("//%s", longName);
    g_autoptr(GString) longPath = g_string_new("/");
    int fd = -1;

    while (longPath->len <= PATH_MAX + 10)
        g_string_append(longPath, "/dir");

    assert_int_equal(pfsTestLstat(H(state), "", NULL), -ENOENT);
    assert_int_equal(pfsTestOpen(H(state), "", O_RDONLY, &fd), -ENOENT);
    assert_int_equal(pfsTestMkdir(H(state), 0, 0, "", 0755), -ENOENT);
    assert_int_equal(pfsTestLstat(H(state), path, NULL), -ENAMETOOLONG);
    assert_int_equal(pfsTestMkdir(H(state), 0, 0, path, 0755), -ENAMETOOLONG);
    assert_int_equal(pfsTestCreate(H(state), path, O_CREAT | O_RDWR, 0644, 0, 0, &fd),
                     -ENAMETOOLONG);
    assert_int_equal(pfsTestLstat(H(state), longPath->str, NULL), -ENAMETOOLONG);
    assert_int_equal(pfsTestOpen(H(state), longPath->str, O_RDONLY, &fd), -ENAMETOOLONG);
    assert_int_equal(pfsTestRename(H(state), "//f", longPath->str), -ENAMETOOLONG);
    assert_int_equal(fd, -1);
}


static void
testXattrSizes(void **state)
{
    g_autofree char *f = pfsTestExportPath(EXP(state), "f");
    char buf[64];
    size_t len = sizeof(buf);

    if (setxattr(f, "user.a", "value", 5, 0) < 0 && errno == ENOTSUP)
        skip();

    /* QEMU's helper aborts on these */
    assert_int_equal(pfsTestGetxattr(H(state), -1, "//f", "user.a", buf, &len), -EINVAL);
    assert_int_equal(pfsTestGetxattr(H(state), INT_MIN, "//f", "user.a", buf, &len), -EINVAL);
    assert_int_equal(pfsTestListxattr(H(state), -8, "//f", buf, &len), -EINVAL);
    /* a huge size is clamped to what a reply can carry */
    len = sizeof(buf);
    assert_int_equal(pfsTestGetxattr(H(state), INT_MAX, "//f", "user.a", buf, &len), 0);
    assert_int_equal(len, 5);

    /* QEMU's helper reads past the value here and stores heap bytes */
    assert_int_equal(pfsTestSetxattr(H(state), "//f", "user.b", "xy", 2, 4096, 0), -EINVAL);
    assert_int_equal(pfsTestSetxattr(H(state), "//f", "user.b", "xy", 2, -1, 0), -EINVAL);
    assert_int_equal(getxattr(f, "user.b", buf, sizeof(buf)), -1);
    assert_int_equal(errno, ENODATA);
    /* a shorter size stores a prefix, as lsetxattr(2) would */
    assert_int_equal(pfsTestSetxattr(H(state), "//f", "user.b", "xy", 2, 1, 0), 0);
    assert_int_equal(getxattr(f, "user.b", buf, sizeof(buf)), 1);
}


static void
testReadlinkHugeBuffer(void **state)
{
    g_autofree char *l = pfsTestExportPath(EXP(state), "l");
    char buf[64];

    assert_int_equal(symlink("target", l), 0);
    assert_int_equal(pfsTestReadlink(H(state), "//l", INT_MAX, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "target");
}


static void
testPipelined(void **state)
{
    g_autofree pfsTestMsg *batch = g_new0(pfsTestMsg, 1);
    g_autofree pfsTestMsg *one = g_new0(pfsTestMsg, 1);
    g_autofree pfsTestReply *reply = g_new0(pfsTestReply, 1);
    int i;

    /* three requests in one write; three replies, in order */
    batch->len = 0;
    for (i = 0; i < 3; i++) {
        pfsTestMsgBegin(one, PFS_PROXY_T_LSTAT);
        pfsTestMsgPath(one, i == 1 ? "//missing" : "//f");
        pfsTestMsgEnd(one);
        memcpy(batch->buf + batch->len, one->buf, one->len);
        batch->len += one->len;
    }
    assert_int_equal(pfsTestSendRaw(H(state), batch->buf, batch->len), 0);
    for (i = 0; i < 3; i++) {
        uint32_t hdr[2];
        assert_int_equal(recv(H(state)->sock, hdr, 8, MSG_WAITALL), 8);
        assert_int_equal(hdr[0], i == 1 ? PFS_PROXY_T_ERROR : PFS_PROXY_T_SUCCESS);
        assert_int_equal(hdr[1], i == 1 ? 4 : PFS_PROXY_STAT_SIZE);
        assert_int_equal(recv(H(state)->sock, reply->data, hdr[1], MSG_WAITALL), hdr[1]);
    }
}


static void
testEofMidHeader(void **state)
{
    g_autofree char *log = NULL;
    uint32_t type = PFS_PROXY_T_LSTAT;

    assert_int_equal(pfsTestSendRaw(H(state), &type, 4), 0);
    shutdown(H(state)->sock, SHUT_WR);
    assertHelperExited(state, 0);
    log = pfsTestHelperLog(H(state));
    assert_non_null(strstr(log, "middle of a request"));
}


static void
testEofMidPayload(void **state)
{
    sendHeader(state, PFS_PROXY_T_LSTAT, 100);
    assert_int_equal(pfsTestSendRaw(H(state), "\x05\x00//f", 5), 0);
    shutdown(H(state)->sock, SHUT_WR);
    assertHelperExited(state, 0);
}


static void
testEofClean(void **state)
{
    g_autofree char *log = NULL;

    assert_int_equal(pfsTestLstat(H(state), "/", NULL), 0);
    shutdown(H(state)->sock, SHUT_WR);
    assertHelperExited(state, 0);
    log = pfsTestHelperLog(H(state));
    assert_non_null(strstr(log, "client disconnected after 1 requests"));
}


/* The client vanishes before the reply: EPIPE, never a SIGPIPE death. */
static void
testPeerGone(void **state, uint32_t type)
{
    g_autofree pfsTestMsg *msg = g_new0(pfsTestMsg, 1);
    int status;

    buildValid(msg, type);
    assert_int_equal(pfsTestSendRaw(H(state), msg->buf, msg->len), 0);
    close(H(state)->sock);
    H(state)->sock = -1;
    status = pfsTestHelperWaitExit(H(state), 5000);
    assert_true(status != -1);
    if (WIFSIGNALED(status)) {
        print_error("the helper died of signal %d\n", WTERMSIG(status));
        fail();
    }
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void testPeerGoneStatus(void **state) { testPeerGone(state, PFS_PROXY_T_CHMOD); }
static void testPeerGoneData(void **state) { testPeerGone(state, PFS_PROXY_T_LSTAT); }
static void testPeerGoneFd(void **state) { testPeerGone(state, PFS_PROXY_T_OPEN); }


static void
testNoFdLeak(void **state)
{
    int before, after, i;

    assert_int_equal(pfsTestLstat(H(state), "/", NULL), 0);
    before = pfsTestCountFds(H(state)->pid);
    for (i = 0; i < 3000; i++) {
        int fd = -1;
        int32_t r;

        switch (i % 6) {
        case 0:
            r = pfsTestOpen(H(state), "//f", O_RDONLY, &fd);
            break;
        case 1:
            r = pfsTestCreate(H(state), "//c", O_CREAT | O_RDWR, 0644, 0, 0, &fd);
            break;
        case 2:
            r = pfsTestOpen(H(state), "//missing/x", O_RDONLY, &fd);
            break;
        case 3:
            r = pfsTestMkdir(H(state), 0, 0, "//d/e", 0755);
            break;
        case 4:
            r = pfsTestChmod(H(state), "//c", 0600);
            break;
        default:
            r = pfsTestGetversion(H(state), "//f", &(uint64_t){ 0 });
            break;
        }
        assert_true(r != PFS_TEST_CONN_FAILED);
        if (fd >= 0)
            close(fd);
    }
    after = pfsTestCountFds(H(state)->pid);
    assert_int_equal(before, after);
}


#define T(fn) cmocka_unit_test_setup_teardown(fn, setupExport, teardownExport)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(testOversizeFrame),
        T(testHugeFrame),
        T(testLargestFrame),
        T(testTypeSuccess),
        T(testTypeError),
        T(testTypeLast),
        T(testTypeHuge),
        T(testTruncatedPayloads),
        T(testStringPastEnd),
        T(testEmbeddedNul),
        T(testPathLimits),
        T(testXattrSizes),
        T(testReadlinkHugeBuffer),
        T(testPipelined),
        T(testEofMidHeader),
        T(testEofMidPayload),
        T(testEofClean),
        T(testPeerGoneStatus),
        T(testPeerGoneData),
        T(testPeerGoneFd),
        T(testNoFdLeak),
    };

    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests_name("proxyfs robustness", tests, NULL, NULL);
}
