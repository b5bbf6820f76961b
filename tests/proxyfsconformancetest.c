/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxyfsconformancetest.c: every request of the proxy protocol, through
 * a real virt-proxyfs-helper on a socketpair, success and error paths
 */
#include "pfsinternal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
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
    *state = pfsTestExportNew(NULL, NULL);
    return 0;
}


static int
setupReadonlyExport(void **state)
{
    const char *const extra[] = { "--readonly", NULL };

    *state = pfsTestExportNew(NULL, extra);
    return 0;
}


static int
setupDeviceExport(void **state)
{
    const char *const extra[] = { "--allow-device-nodes", NULL };

    *state = pfsTestExportNew(NULL, extra);
    return 0;
}


static int
teardownExport(void **state)
{
    pfsTestExport *exp = *state;
    int status = pfsTestExportStopHelper(exp);

    /* every test ends with a clean EOF exit of the helper */
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        print_error("helper ended with wait status 0x%x\n", status);
        pfsTestExportFree(exp);
        return -1;
    }
    pfsTestExportCheckSentinel(exp);
    pfsTestExportFree(exp);
    return 0;
}


static void
hostFile(void **state, const char *rel, const char *content)
{
    pfsTestWriteFile(EXP(state)->root, rel, content);
}


static char *
hostPath(void **state, const char *rel)
{
    return pfsTestExportPath(EXP(state), rel);
}


static void
hostStat(void **state, const char *rel, struct stat *st)
{
    g_autofree char *p = hostPath(state, rel);

    assert_int_equal(lstat(p, st), 0);
}


static bool
hostExists(void **state, const char *rel)
{
    g_autofree char *p = hostPath(state, rel);
    struct stat st;

    return lstat(p, &st) == 0;
}


/* T_CREATE (O_CREAT | O_RDWR) of @rel by @uid:@gid, which must hand back
 * an fd; the fd is closed and, if @st is not NULL, the new file's host
 * lstat is put there. */
static void
createFile(void **state, const char *rel, mode_t mode,
           uint32_t uid, uint32_t gid, struct stat *st)
{
    g_autofree char *path = g_strdup_printf("//%s", rel);
    int fd = -1;

    assert_int_equal(pfsTestCreate(H(state), path, O_CREAT | O_RDWR, mode,
                                   uid, gid, &fd), PFS_PROXY_FD_VALID);
    close(fd);
    if (st)
        hostStat(state, rel, st);
}


/* ---- lstat ---- */

static void
testLstatRoot(void **state)
{
    struct stat st, host;

    assert_int_equal(pfsTestLstat(H(state), "/", &st), 0);
    assert_int_equal(stat(EXP(state)->root, &host), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_true(st.st_ino == host.st_ino);
    assert_true(st.st_dev == host.st_dev);
    assert_int_equal(st.st_mode, host.st_mode);
    assert_int_equal(st.st_uid, host.st_uid);
    assert_int_equal(st.st_mtim.tv_sec, host.st_mtim.tv_sec);
    assert_int_equal(st.st_mtim.tv_nsec, host.st_mtim.tv_nsec);
}


static void
testLstatFileAndLink(void **state)
{
    g_autofree char *link = hostPath(state, "link");
    struct stat st, host;

    hostFile(state, "file.txt", "hello");
    assert_int_equal(symlink("file.txt", link), 0);

    assert_int_equal(pfsTestLstat(H(state), "//file.txt", &st), 0);
    hostStat(state, "file.txt", &host);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_size, 5);
    assert_true(st.st_ino == host.st_ino);
    assert_int_equal(st.st_nlink, 1);

    /* lstat never follows */
    assert_int_equal(pfsTestLstat(H(state), "//link", &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_int_equal(st.st_size, 8);

    assert_int_equal(pfsTestLstat(H(state), "//missing", &st), -ENOENT);
    assert_int_equal(pfsTestLstat(H(state), "//file.txt/x", &st), -ENOTDIR);
}


static void
testLstatDotDot(void **state)
{
    g_autofree char *d = hostPath(state, "d");
    struct stat st, root;

    assert_int_equal(mkdir(d, 0755), 0);
    assert_int_equal(pfsTestLstat(H(state), "/", &root), 0);
    /* QEMU walks ".." as a literal component */
    assert_int_equal(pfsTestLstat(H(state), "//d/..", &st), 0);
    assert_true(st.st_ino == root.st_ino);
    assert_int_equal(pfsTestLstat(H(state), "//d/.", &st), 0);
    assert_true(S_ISDIR(st.st_mode) && st.st_ino != root.st_ino);
    assert_int_equal(pfsTestLstat(H(state), "//d/", &st), 0);
    assert_true(S_ISDIR(st.st_mode) && st.st_ino != root.st_ino);
    assert_int_equal(pfsTestLstat(H(state), "d", &st), 0);
    assert_true(S_ISDIR(st.st_mode) && st.st_ino != root.st_ino);
}


static void
testPathWithoutNul(void **state)
{
    g_autofree pfsTestMsg *msg = g_new0(pfsTestMsg, 1);
    g_autofree pfsTestReply *reply = g_new0(pfsTestReply, 1);

    hostFile(state, "f", "x");
    /* the same request with a V9fsString path (no NUL on the wire) */
    pfsTestMsgBegin(msg, PFS_PROXY_T_LSTAT);
    pfsTestMsgStr(msg, "//f");
    pfsTestMsgEnd(msg);
    assert_int_equal(pfsTestExchange(H(state), msg, reply), 0);
    assert_int_equal(reply->type, PFS_PROXY_T_SUCCESS);
    assert_int_equal(reply->size, PFS_PROXY_STAT_SIZE);
}


/* ---- open ---- */

static void
testOpenRegular(void **state)
{
    struct stat st, host;
    char buf[16] = "";
    int fd = -1;

    hostFile(state, "file.txt", "content");
    assert_int_equal(pfsTestOpen(H(state), "//file.txt", O_RDONLY, &fd), PFS_PROXY_FD_VALID);
    assert_true(fd >= 0);
    assert_int_equal(fstat(fd, &st), 0);
    hostStat(state, "file.txt", &host);
    assert_true(st.st_ino == host.st_ino);
    assert_int_equal(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDONLY);
    assert_int_equal(read(fd, buf, sizeof(buf) - 1), 7);
    assert_string_equal(buf, "content");
    close(fd);
}


static void
testOpenFlags(void **state)
{
    int fd = -1;
    int fl;

    hostFile(state, "file.txt", "content");
    assert_int_equal(pfsTestOpen(H(state), "//file.txt", O_RDWR | O_APPEND, &fd),
                     PFS_PROXY_FD_VALID);
    fl = fcntl(fd, F_GETFL);
    assert_int_equal(fl & O_ACCMODE, O_RDWR);
    assert_true(fl & O_APPEND);
    assert_false(fl & O_NONBLOCK);
    assert_int_equal(write(fd, "+", 1), 1);
    close(fd);

    assert_int_equal(pfsTestOpen(H(state), "//file.txt", O_WRONLY | O_TRUNC, &fd),
                     PFS_PROXY_FD_VALID);
    close(fd);
    {
        struct stat st;
        hostStat(state, "file.txt", &st);
        assert_int_equal(st.st_size, 0);
    }
}


static void
testOpenDirectory(void **state)
{
    g_autofree char *d = hostPath(state, "dir");
    struct stat st;
    int fd = -1;

    assert_int_equal(mkdir(d, 0755), 0);
    hostFile(state, "file.txt", "x");
    /* QEMU opens directories with O_DIRECTORY only, then fdopendir() */
    assert_int_equal(pfsTestOpen(H(state), "//dir", O_DIRECTORY, &fd), PFS_PROXY_FD_VALID);
    assert_int_equal(fstat(fd, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    close(fd);
    assert_int_equal(pfsTestOpen(H(state), "/", O_DIRECTORY, &fd), PFS_PROXY_FD_VALID);
    close(fd);
    fd = -1;
    assert_int_equal(pfsTestOpen(H(state), "//file.txt", O_DIRECTORY, &fd), -ENOTDIR);
    assert_int_equal(fd, -1);
    assert_int_equal(pfsTestOpen(H(state), "//dir", O_WRONLY, &fd), -EISDIR);
    assert_int_equal(fd, -1);
}


static void
testOpenSymlink(void **state)
{
    g_autofree char *link = hostPath(state, "link");
    struct stat st, host;
    int fd = -1;

    hostFile(state, "target", "t");
    assert_int_equal(symlink("/target", link), 0);
    /* followed, inside the export: the absolute target is the export's */
    assert_int_equal(pfsTestOpen(H(state), "//link", O_RDONLY, &fd), PFS_PROXY_FD_VALID);
    assert_int_equal(fstat(fd, &st), 0);
    hostStat(state, "target", &host);
    assert_true(st.st_ino == host.st_ino);
    close(fd);
    fd = -1;
    assert_int_equal(pfsTestOpen(H(state), "//link", O_RDONLY | O_NOFOLLOW, &fd), -ELOOP);
    assert_int_equal(fd, -1);
}


static void
testOpenErrors(void **state)
{
    int fd = -1;

    assert_int_equal(pfsTestOpen(H(state), "//nope", O_RDONLY, &fd), -ENOENT);
    assert_int_equal(fd, -1);
    /* creating goes through T_CREATE only */
    assert_int_equal(pfsTestOpen(H(state), "//new", O_RDWR | O_CREAT, &fd), -EINVAL);
    assert_false(hostExists(state, "new"));
    assert_int_equal(pfsTestOpen(H(state), "/", O_PATH, &fd), -EINVAL);
    assert_int_equal(pfsTestOpen(H(state), "/", O_TMPFILE | O_RDWR, &fd), -EINVAL);
}


static void
testOpenSpecialFiles(void **state)
{
    g_autofree char *fifo = hostPath(state, "fifo");
    g_autofree char *sock = hostPath(state, "sock");
    g_autofree char *log = NULL;
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int fd = -1;

    assert_int_equal(mkfifo(fifo, 0666), 0);
    g_strlcpy(addr.sun_path, sock, sizeof(addr.sun_path));
    assert_int_equal(bind(s, (struct sockaddr *)&addr, sizeof(addr)), 0);

    /* refused promptly, never opened: a blocking FIFO open would make the
     * client's 10 s timeout fail this test */
    assert_int_equal(pfsTestOpen(H(state), "//fifo", O_RDONLY, &fd), -ENXIO);
    assert_int_equal(pfsTestOpen(H(state), "//fifo", O_WRONLY, &fd), -ENXIO);
    assert_int_equal(pfsTestOpen(H(state), "//sock", O_RDWR, &fd), -ENXIO);
    assert_int_equal(fd, -1);
    close(s);

    if (geteuid() == 0) {
        g_autofree char *dev = hostPath(state, "null");
        assert_int_equal(mknod(dev, S_IFCHR | 0666, makedev(1, 3)), 0);
        assert_int_equal(pfsTestOpen(H(state), "//null", O_RDWR, &fd), -ENXIO);
        assert_int_equal(fd, -1);
    }

    /* logged once, as a warning */
    log = pfsTestHelperLog(H(state));
    assert_non_null(strstr(log, "special file"));
    assert_ptr_equal(strstr(log, "special file"), g_strrstr(log, "special file"));
}


/* ---- create ---- */

static void
testCreateOwnerAndMode(void **state)
{
    struct stat st, fst;
    int fd = -1;

    PFS_TEST_REQUIRE_ROOT();
    assert_int_equal(pfsTestCreate(H(state), "//new", O_CREAT | O_WRONLY | O_EXCL,
                                   0640, 1000, 1001, &fd), PFS_PROXY_FD_VALID);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "data", 4), 4);
    assert_int_equal(fstat(fd, &fst), 0);
    close(fd);

    hostStat(state, "new", &st);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0640);
    assert_int_equal(st.st_uid, 1000);
    assert_int_equal(st.st_gid, 1001);
    assert_int_equal(st.st_size, 4);
    assert_true(st.st_ino == fst.st_ino);
}


static void
testCreateSetidModes(void **state)
{
    struct stat st;

    PFS_TEST_REQUIRE_ROOT();
    /* set-id bits asked for are kept when the creator owns the group */
    createFile(state, "suid", 06755, 1000, 1000, &st);
    assert_int_equal(st.st_mode & 07777, 06755);
    assert_int_equal(st.st_uid, 1000);
}


static void
testCreateExisting(void **state)
{
    g_autofree char *fifo = hostPath(state, "fifo");
    struct stat st, host;
    int fd = -1;

    PFS_TEST_REQUIRE_ROOT();
    hostFile(state, "old", "old content");
    hostStat(state, "old", &host);

    /* without O_EXCL an existing file is just opened: owner unchanged */
    assert_int_equal(pfsTestCreate(H(state), "//old", O_CREAT | O_RDWR, 0600,
                                   1000, 1000, &fd), PFS_PROXY_FD_VALID);
    assert_int_equal(fstat(fd, &st), 0);
    assert_true(st.st_ino == host.st_ino);
    assert_int_equal(st.st_uid, 0);
    assert_int_equal(st.st_mode & 07777, 0644);
    close(fd);
    fd = -1;

    assert_int_equal(pfsTestCreate(H(state), "//old", O_CREAT | O_EXCL | O_RDWR, 0600,
                                   1000, 1000, &fd), -EEXIST);
    assert_int_equal(fd, -1);

    /* O_TRUNC on an existing file truncates it */
    assert_int_equal(pfsTestCreate(H(state), "//old", O_CREAT | O_TRUNC | O_WRONLY, 0600,
                                   1000, 1000, &fd), PFS_PROXY_FD_VALID);
    close(fd);
    fd = -1;
    hostStat(state, "old", &st);
    assert_int_equal(st.st_size, 0);

    /* an existing FIFO is never opened */
    assert_int_equal(mkfifo(fifo, 0666), 0);
    assert_int_equal(pfsTestCreate(H(state), "//fifo", O_CREAT | O_RDONLY, 0600,
                                   0, 0, &fd), -ENXIO);
    assert_int_equal(fd, -1);

    assert_int_equal(pfsTestCreate(H(state), "/", O_CREAT | O_RDONLY, 0600,
                                   0, 0, &fd), -EISDIR);
    assert_int_equal(pfsTestCreate(H(state), "//nodir/x", O_CREAT | O_RDONLY, 0600,
                                   0, 0, &fd), -ENOENT);
}


static void
testCreateInSetgidDir(void **state)
{
    g_autofree char *d = hostPath(state, "sgid");
    struct stat st;

    PFS_TEST_REQUIRE_ROOT();
    assert_int_equal(mkdir(d, 0777), 0);
    assert_int_equal(chown(d, 0, 4242), 0);
    assert_int_equal(chmod(d, 02777), 0);

    /* the directory's group wins over the one asked for */
    createFile(state, "sgid/f", 0644, 1000, 1000, &st);
    assert_int_equal(st.st_gid, 4242);
    assert_int_equal(st.st_uid, 1000);

    /* a group-executable setgid file by someone outside the group loses
     * S_ISGID */
    createFile(state, "sgid/x", 02755, 1000, 1000, &st);
    assert_int_equal(st.st_mode & 07777, 0755);

    /* ... but keeps it when the creator is in the group */
    createFile(state, "sgid/y", 02755, 1000, 4242, &st);
    assert_int_equal(st.st_mode & 07777, 02755);

    /* CVE-2022-0358: setgid directory of root's group, file 02755 by an
     * unprivileged user: never a setgid-root executable */
    assert_int_equal(chown(d, 0, 0), 0);
    assert_int_equal(chmod(d, 02777), 0);
    createFile(state, "sgid/cve", 02755, 1000, 1000, &st);
    assert_int_equal(st.st_gid, 0);
    assert_false(st.st_mode & S_ISGID);
}


static void
testCreateRootUnchangedGid(void **state)
{
    struct stat st;

    PFS_TEST_REQUIRE_ROOT();
    /* uid 0 with gid -1 (9P2000.u) and then another user: QEMU's helper
     * loses its capabilities and dies here; we must not */
    createFile(state, "a", 0644, 0, (uint32_t)-1, &st);
    assert_int_equal(st.st_uid, 0);
    assert_int_equal(st.st_gid, 0);

    createFile(state, "b", 0644, 0, 1234, NULL);
    createFile(state, "c", 0644, 1000, 1000, &st);
    assert_int_equal(st.st_uid, 1000);
    assert_int_equal(st.st_gid, 1000);
    assert_int_equal(pfsTestChown(H(state), "//c", 2000, 2000), 0);
}


/* ---- mknod, mkdir, symlink, link ---- */

static void
testMknod(void **state)
{
    struct stat st;

    PFS_TEST_REQUIRE_ROOT();
    assert_int_equal(pfsTestMknod(H(state), 1000, 1001, "//fifo", S_IFIFO | 0640, 0), 0);
    hostStat(state, "fifo", &st);
    assert_true(S_ISFIFO(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0640);
    assert_int_equal(st.st_uid, 1000);
    assert_int_equal(st.st_gid, 1001);

    assert_int_equal(pfsTestMknod(H(state), 1000, 1000, "//sock", S_IFSOCK | 0600, 0), 0);
    hostStat(state, "sock", &st);
    assert_true(S_ISSOCK(st.st_mode));

    assert_int_equal(pfsTestMknod(H(state), 1000, 1000, "//reg", 0644, 0), 0);
    hostStat(state, "reg", &st);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0644);

    assert_int_equal(pfsTestMknod(H(state), 1000, 1000, "//fifo", S_IFIFO | 0640, 0), -EEXIST);
    assert_int_equal(pfsTestMknod(H(state), 1000, 1000, "/", S_IFIFO | 0640, 0), -EEXIST);
    /* a trailing slash names a directory, which mknod(2) does not make */
    assert_int_equal(pfsTestMknod(H(state), 1000, 1000, "//slash/", S_IFIFO | 0640, 0), -ENOENT);
    assert_false(hostExists(state, "slash"));

    /* device nodes are refused by default, even for root */
    assert_int_equal(pfsTestMknod(H(state), 0, 0, "//null", S_IFCHR | 0666,
                                  makedev(1, 3)), -EPERM);
    assert_int_equal(pfsTestMknod(H(state), 0, 0, "//blk", S_IFBLK | 0666,
                                  makedev(7, 0)), -EPERM);
    assert_false(hostExists(state, "null"));
    assert_false(hostExists(state, "blk"));
}


static void
testMknodDevicesAllowed(void **state)
{
    struct stat st;

    PFS_TEST_REQUIRE_ROOT();
    assert_int_equal(pfsTestMknod(H(state), 0, 0, "//null", S_IFCHR | 0666,
                                  makedev(1, 3)), 0);
    hostStat(state, "null", &st);
    assert_true(S_ISCHR(st.st_mode));
    assert_true(st.st_rdev == makedev(1, 3));
    assert_int_equal(st.st_mode & 07777, 0666);
    /* as with QEMU's helper, only a request by uid 0 and gid 0 */
    assert_int_equal(pfsTestMknod(H(state), 1000, 1000, "//null2", S_IFCHR | 0666,
                                  makedev(1, 3)), -EPERM);
    assert_int_equal(pfsTestMknod(H(state), 0, 5, "//null3", S_IFCHR | 0666,
                                  makedev(1, 3)), -EPERM);
    /* and opening one stays refused */
    {
        int fd = -1;
        assert_int_equal(pfsTestOpen(H(state), "//null", O_RDWR, &fd), -ENXIO);
    }
}


static void
testMkdir(void **state)
{
    g_autofree char *sgid = hostPath(state, "sgid");
    struct stat st;

    PFS_TEST_REQUIRE_ROOT();
    assert_int_equal(pfsTestMkdir(H(state), 1000, 1001, "//d", 0750), 0);
    hostStat(state, "d", &st);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0750);
    assert_int_equal(st.st_uid, 1000);
    assert_int_equal(st.st_gid, 1001);

    assert_int_equal(pfsTestMkdir(H(state), 1000, 1001, "//d", 0750), -EEXIST);
    assert_int_equal(pfsTestMkdir(H(state), 1000, 1001, "//d/..", 0750), -EEXIST);
    assert_int_equal(pfsTestMkdir(H(state), 1000, 1001, "/", 0750), -EEXIST);
    assert_int_equal(pfsTestMkdir(H(state), 1000, 1001, "//x/y", 0750), -ENOENT);
    /* mkdir(2) takes a trailing slash */
    assert_int_equal(pfsTestMkdir(H(state), 1000, 1001, "//slash/", 0750), 0);
    hostStat(state, "slash", &st);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_uid, 1000);

    /* sticky is kept */
    assert_int_equal(pfsTestMkdir(H(state), 0, 0, "//tmp", 01777), 0);
    hostStat(state, "tmp", &st);
    assert_int_equal(st.st_mode & 07777, 01777);

    /* a setgid parent passes on its group and its setgid bit */
    assert_int_equal(mkdir(sgid, 0777), 0);
    assert_int_equal(chown(sgid, 0, 4242), 0);
    assert_int_equal(chmod(sgid, 02775), 0);
    assert_int_equal(pfsTestMkdir(H(state), 1000, 1000, "//sgid/sub", 0755), 0);
    hostStat(state, "sgid/sub", &st);
    assert_int_equal(st.st_gid, 4242);
    assert_int_equal(st.st_mode & 07777, 02755);
}


static void
testSymlink(void **state)
{
    char buf[64];
    struct stat st;

    PFS_TEST_REQUIRE_ROOT();
    assert_int_equal(pfsTestSymlink(H(state), 1000, 1001, "../../etc/passwd", "//l"), 0);
    hostStat(state, "l", &st);
    assert_true(S_ISLNK(st.st_mode));
    assert_int_equal(st.st_uid, 1000);
    assert_int_equal(st.st_gid, 1001);
    assert_int_equal(pfsTestReadlink(H(state), "//l", 4096, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "../../etc/passwd");
    assert_int_equal(pfsTestSymlink(H(state), 0, 0, "x", "//l"), -EEXIST);
    assert_int_equal(pfsTestSymlink(H(state), 0, 0, "", "//empty"), -ENOENT);
    assert_int_equal(pfsTestSymlink(H(state), 0, 0, "x", "/"), -EEXIST);
    assert_int_equal(pfsTestSymlink(H(state), 0, 0, "x", "//slash/"), -ENOENT);
    assert_false(hostExists(state, "slash"));
}


static void
testLink(void **state)
{
    g_autofree char *d = hostPath(state, "d");
    g_autofree char *l = hostPath(state, "sym");
    struct stat st;

    hostFile(state, "f", "x");
    assert_int_equal(mkdir(d, 0755), 0);
    assert_int_equal(symlink("f", l), 0);

    assert_int_equal(pfsTestLink(H(state), "//f", "//d/f2"), 0);
    hostStat(state, "f", &st);
    assert_int_equal(st.st_nlink, 2);
    /* a symlink is linked itself, not its target */
    assert_int_equal(pfsTestLink(H(state), "//sym", "//sym2"), 0);
    hostStat(state, "sym2", &st);
    assert_true(S_ISLNK(st.st_mode));

    assert_int_equal(pfsTestLink(H(state), "//d", "//d2"), -EPERM);
    assert_int_equal(pfsTestLink(H(state), "//d/..", "//d3"), -EPERM);
    assert_int_equal(pfsTestLink(H(state), "//f", "//d/f2"), -EEXIST);
    assert_int_equal(pfsTestLink(H(state), "//nope", "//n2"), -ENOENT);
}


/* ---- readlink, statfs ---- */

static void
testReadlink(void **state)
{
    g_autofree char *l = hostPath(state, "link");
    char buf[64];

    assert_int_equal(symlink("newtarget", l), 0);
    hostFile(state, "f", "x");

    assert_int_equal(pfsTestReadlink(H(state), "//link", 4096, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "newtarget");
    /* silently truncated to bufsize - 1, as QEMU's buffer expects */
    assert_int_equal(pfsTestReadlink(H(state), "//link", 4, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "new");
    assert_int_equal(pfsTestReadlink(H(state), "//f", 4096, buf, sizeof(buf)), -EINVAL);
    assert_int_equal(pfsTestReadlink(H(state), "/", 4096, buf, sizeof(buf)), -EINVAL);
    assert_int_equal(pfsTestReadlink(H(state), "//nope", 4096, buf, sizeof(buf)), -ENOENT);
    assert_int_equal(pfsTestReadlink(H(state), "//link", 1, buf, sizeof(buf)), -EINVAL);
    assert_int_equal(pfsTestReadlink(H(state), "//link", 0, buf, sizeof(buf)), -EINVAL);
    assert_int_equal(pfsTestReadlink(H(state), "//link", -5, buf, sizeof(buf)), -EINVAL);
}


static void
testStatfs(void **state)
{
    uint64_t fields[11];
    struct statfs host;

    assert_int_equal(pfsTestStatfs(H(state), "/", fields), 0);
    assert_int_equal(statfs(EXP(state)->root, &host), 0);
    assert_true(fields[0] == (uint64_t)host.f_type);
    assert_true(fields[1] == (uint64_t)host.f_bsize);
    assert_true(fields[1] != 0);
    assert_true(fields[2] == (uint64_t)host.f_blocks);
    assert_true(fields[9] == (uint64_t)host.f_namelen);
    assert_int_equal(pfsTestStatfs(H(state), "//nope", fields), -ENOENT);
}


/* ---- chmod, chown, truncate, utime ---- */

/* T_CHMOD of @path to @mode, after which the host sees @mode on @rel. */
static void
chmodAndCheck(void **state, const char *path, mode_t mode, const char *rel)
{
    struct stat st;

    assert_int_equal(pfsTestChmod(H(state), path, mode), 0);
    hostStat(state, rel, &st);
    assert_int_equal(st.st_mode & 07777, mode);
}


static void
testChmod(void **state)
{
    g_autofree char *l = hostPath(state, "link");
    struct stat st;

    hostFile(state, "f", "x");
    assert_int_equal(symlink("f", l), 0);
    chmodAndCheck(state, "//f", 0600, "f");
    /* follows a final symlink, as chmod(2) does */
    chmodAndCheck(state, "//link", 04711, "f");
    assert_int_equal(pfsTestChmod(H(state), "/", 0711), 0);
    assert_int_equal(stat(EXP(state)->root, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0711);
    assert_int_equal(pfsTestChmod(H(state), "//nope", 0600), -ENOENT);
}


/* Directories are reopened and FIFOs (never opened) changed by name when
 * the kernel has no fchmodat2(); the -linux6.1 runs take those ways. */
static void
testChmodDirAndFifo(void **state)
{
    g_autofree char *d = hostPath(state, "d");
    g_autofree char *fifo = hostPath(state, "fifo");
    g_autofree char *l = hostPath(state, "fifolink");

    assert_int_equal(mkdir(d, 0755), 0);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(symlink("fifo", l), 0);

    chmodAndCheck(state, "//d", 02750, "d");
    chmodAndCheck(state, "//fifo", 0640, "fifo");
    chmodAndCheck(state, "//fifolink", 0604, "fifo");
}


static void
testChown(void **state)
{
    g_autofree char *l = hostPath(state, "link");
    struct stat st;

    PFS_TEST_REQUIRE_ROOT();
    hostFile(state, "f", "x");
    assert_int_equal(symlink("f", l), 0);
    assert_int_equal(pfsTestChown(H(state), "//f", 1000, 1001), 0);
    hostStat(state, "f", &st);
    assert_int_equal(st.st_uid, 1000);
    assert_int_equal(st.st_gid, 1001);
    /* -1 leaves that half alone */
    assert_int_equal(pfsTestChown(H(state), "//f", (uint32_t)-1, 1002), 0);
    hostStat(state, "f", &st);
    assert_int_equal(st.st_uid, 1000);
    assert_int_equal(st.st_gid, 1002);
    /* never follows */
    assert_int_equal(pfsTestChown(H(state), "//link", 2000, 2000), 0);
    hostStat(state, "link", &st);
    assert_int_equal(st.st_uid, 2000);
    hostStat(state, "f", &st);
    assert_int_equal(st.st_uid, 1000);
    /* a directory named by ".." */
    assert_int_equal(pfsTestMkdir(H(state), 0, 0, "//d", 0755), 0);
    assert_int_equal(pfsTestChown(H(state), "//d/..", 3000, 3000), 0);
    assert_int_equal(stat(EXP(state)->root, &st), 0);
    assert_int_equal(st.st_uid, 3000);
    assert_int_equal(pfsTestChown(H(state), "//nope", 1, 1), -ENOENT);
}


static void
testTruncate(void **state)
{
    g_autofree char *l = hostPath(state, "link");
    g_autofree char *d = hostPath(state, "d");
    g_autofree char *fifo = hostPath(state, "fifo");
    struct stat st;

    hostFile(state, "f", "0123456789");
    assert_int_equal(symlink("f", l), 0);
    assert_int_equal(mkdir(d, 0755), 0);
    assert_int_equal(mkfifo(fifo, 0600), 0);

    assert_int_equal(pfsTestTruncate(H(state), "//f", 4), 0);
    hostStat(state, "f", &st);
    assert_int_equal(st.st_size, 4);
    assert_int_equal(pfsTestTruncate(H(state), "//link", 100), 0);
    hostStat(state, "f", &st);
    assert_int_equal(st.st_size, 100);
    assert_int_equal(pfsTestTruncate(H(state), "//d", 0), -EISDIR);
    assert_int_equal(pfsTestTruncate(H(state), "//fifo", 0), -EINVAL);
    assert_int_equal(pfsTestTruncate(H(state), "//f", -1), -EINVAL);
    assert_int_equal(pfsTestTruncate(H(state), "//nope", 0), -ENOENT);
}


static void
testUtime(void **state)
{
    g_autofree char *l = hostPath(state, "link");
    struct stat st, lst;

    hostFile(state, "f", "x");
    assert_int_equal(symlink("f", l), 0);
    assert_int_equal(pfsTestUtime(H(state), "//f", 1000, 5, 2000, 6), 0);
    hostStat(state, "f", &st);
    assert_int_equal(st.st_atim.tv_sec, 1000);
    assert_int_equal(st.st_atim.tv_nsec, 5);
    assert_int_equal(st.st_mtim.tv_sec, 2000);
    assert_int_equal(st.st_mtim.tv_nsec, 6);

    /* UTIME_OMIT leaves that time alone */
    assert_int_equal(pfsTestUtime(H(state), "//f", 0, UTIME_OMIT, 3000, 0), 0);
    hostStat(state, "f", &st);
    assert_int_equal(st.st_atim.tv_sec, 1000);
    assert_int_equal(st.st_mtim.tv_sec, 3000);

    /* never follows: the link's own times change */
    assert_int_equal(pfsTestUtime(H(state), "//link", 500, 0, 600, 0), 0);
    hostStat(state, "link", &lst);
    assert_int_equal(lst.st_mtim.tv_sec, 600);
    hostStat(state, "f", &st);
    assert_int_equal(st.st_mtim.tv_sec, 3000);

    assert_int_equal(pfsTestUtime(H(state), "/", 7, 0, 8, 0), 0);
    assert_int_equal(stat(EXP(state)->root, &st), 0);
    assert_int_equal(st.st_mtim.tv_sec, 8);

    assert_int_equal(pfsTestUtime(H(state), "//f", 0, 2000000000, 0, 0), -EINVAL);
    assert_int_equal(pfsTestUtime(H(state), "//nope", 0, 0, 0, 0), -ENOENT);
}


/* ---- rename, remove ---- */

static void
testRename(void **state)
{
    g_autofree char *d = hostPath(state, "d");
    g_autofree char *e = hostPath(state, "e");
    g_autofree char *content = NULL;
    g_autofree char *moved = hostPath(state, "d/g");

    hostFile(state, "f", "moved");
    assert_int_equal(mkdir(d, 0755), 0);
    assert_int_equal(mkdir(e, 0755), 0);
    hostFile(state, "e/inner", "x");

    assert_int_equal(pfsTestRename(H(state), "//f", "//d/g"), 0);
    assert_false(hostExists(state, "f"));
    content = pfsTestReadFile(moved);
    assert_string_equal(content, "moved");

    assert_int_equal(pfsTestRename(H(state), "//d", "//e"), -ENOTEMPTY);
    assert_int_equal(pfsTestRename(H(state), "//nope", "//x"), -ENOENT);
    assert_int_equal(pfsTestRename(H(state), "/", "//x"), -EBUSY);
    assert_int_equal(pfsTestRename(H(state), "//d/..", "//x"), -EBUSY);
    assert_int_equal(pfsTestRename(H(state), "//d", "//d/sub"), -EINVAL);
}


static void
testRemove(void **state)
{
    g_autofree char *d = hostPath(state, "d");
    g_autofree char *full = hostPath(state, "full");
    g_autofree char *l = hostPath(state, "link");

    hostFile(state, "f", "x");
    assert_int_equal(mkdir(d, 0755), 0);
    assert_int_equal(mkdir(full, 0755), 0);
    hostFile(state, "full/x", "x");
    assert_int_equal(symlink("d", l), 0);

    assert_int_equal(pfsTestRemove(H(state), "//f"), 0);
    assert_false(hostExists(state, "f"));
    /* a symlink to a directory is removed itself */
    assert_int_equal(pfsTestRemove(H(state), "//link"), 0);
    assert_false(hostExists(state, "link"));
    assert_true(hostExists(state, "d"));
    /* directories are removed with rmdir */
    assert_int_equal(pfsTestRemove(H(state), "//d"), 0);
    assert_false(hostExists(state, "d"));
    assert_int_equal(pfsTestRemove(H(state), "//full"), -ENOTEMPTY);
    assert_int_equal(pfsTestRemove(H(state), "//nope"), -ENOENT);
    assert_int_equal(pfsTestRemove(H(state), "/"), -EBUSY);
    assert_int_equal(pfsTestRemove(H(state), "//full/.."), -ENOTEMPTY);
    assert_true(hostExists(state, "full/x"));
}


/* ---- xattrs ---- */

static void
testXattrs(void **state)
{
    char buf[256];
    size_t len;
    g_autofree char *f = hostPath(state, "f");

    hostFile(state, "f", "x");
    if (setxattr(f, "user.probe", "1", 1, 0) < 0 && errno == ENOTSUP)
        skip();
    assert_int_equal(removexattr(f, "user.probe"), 0);

    assert_int_equal(pfsTestSetxattr(H(state), "//f", "user.test", "value", 5, 5, 0), 0);
    /* size probe: the length comes back as a status */
    assert_int_equal(pfsTestGetxattr(H(state), 0, "//f", "user.test", NULL, NULL), 5);
    len = sizeof(buf);
    assert_int_equal(pfsTestGetxattr(H(state), 5, "//f", "user.test", buf, &len), 0);
    assert_int_equal(len, 5);
    assert_memory_equal(buf, "value", 5);
    len = sizeof(buf);
    assert_int_equal(pfsTestGetxattr(H(state), 2, "//f", "user.test", buf, &len), -ERANGE);

    assert_int_equal(pfsTestListxattr(H(state), 0, "//f", NULL, NULL), 10);
    len = sizeof(buf);
    assert_int_equal(pfsTestListxattr(H(state), 10, "//f", buf, &len), 0);
    assert_int_equal(len, 10);
    assert_memory_equal(buf, "user.test\0", 10);

    assert_int_equal(pfsTestSetxattr(H(state), "//f", "user.test", "v2", 2, 2, XATTR_CREATE), -EEXIST);
    assert_int_equal(pfsTestSetxattr(H(state), "//f", "user.other", "v2", 2, 2, XATTR_REPLACE), -ENODATA);
    /* binary values, NUL bytes included */
    assert_int_equal(pfsTestSetxattr(H(state), "//f", "user.bin", "a\0b", 3, 3, 0), 0);
    len = sizeof(buf);
    assert_int_equal(pfsTestGetxattr(H(state), 64, "//f", "user.bin", buf, &len), 0);
    assert_int_equal(len, 3);
    assert_memory_equal(buf, "a\0b", 3);

    assert_int_equal(pfsTestRemovexattr(H(state), "//f", "user.test"), 0);
    assert_int_equal(pfsTestGetxattr(H(state), 0, "//f", "user.test", NULL, NULL), -ENODATA);
    assert_int_equal(pfsTestRemovexattr(H(state), "//f", "user.test"), -ENODATA);
    assert_int_equal(pfsTestGetxattr(H(state), 0, "//nope", "user.test", NULL, NULL), -ENOENT);
    assert_int_equal(pfsTestSetxattr(H(state), "//f", "bogus.ns", "v", 1, 1, 0), -EOPNOTSUPP);

    /* on the root, named by "/" */
    assert_int_equal(pfsTestSetxattr(H(state), "/", "user.root", "r", 1, 1, 0), 0);
    assert_int_equal(getxattr(EXP(state)->root, "user.root", buf, sizeof(buf)), 1);
}


static void
testXattrOnSymlink(void **state)
{
    g_autofree char *l = hostPath(state, "link");
    g_autofree char *f = hostPath(state, "f");
    char buf[16];

    PFS_TEST_REQUIRE_ROOT();
    hostFile(state, "f", "x");
    assert_int_equal(symlink("f", l), 0);
    /* l*xattr: the link itself. user.* is not allowed on symlinks, and
     * the target must not get it instead */
    assert_int_equal(pfsTestSetxattr(H(state), "//link", "user.x", "v", 1, 1, 0), -EPERM);
    assert_int_equal(getxattr(f, "user.x", buf, sizeof(buf)), -1);
    /* trusted.* needs CAP_SYS_ADMIN, which the helper gives up */
    assert_int_equal(pfsTestSetxattr(H(state), "//link", "trusted.x", "v", 1, 1, 0), -EPERM);
    assert_int_equal(pfsTestSetxattr(H(state), "//f", "trusted.x", "v", 1, 1, 0), -EPERM);
    assert_int_equal(getxattr(f, "trusted.x", buf, sizeof(buf)), -1);
    /* file capabilities on host files need CAP_SETFCAP: refused too */
    assert_int_equal(pfsTestSetxattr(H(state), "//f", "security.capability",
                                     "\x01\x00\x00\x02\xff\xff\xff\xff\x00\x00\x00\x00"
                                     "\x00\x00\x00\x00\x00\x00\x00\x00", 20, 20, 0), -EPERM);
    assert_int_equal(getxattr(f, "security.capability", buf, sizeof(buf)), -1);
}


/* ---- getversion ---- */

static void
testGetversion(void **state)
{
    struct statfs sfs;
    uint64_t version = 0xDEADBEEFDEADBEEFULL;
    g_autofree char *fifo = hostPath(state, "fifo");

    hostFile(state, "f", "x");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(statfs(EXP(state)->root, &sfs), 0);
    assert_int_equal(pfsTestGetversion(H(state), "//f", &version), 0);

    if (sfs.f_type == 0xEF53) {
        g_autofree char *f = hostPath(state, "f");
        int fd = open(f, O_RDONLY);
        unsigned int gen = 0;

        assert_int_equal(ioctl(fd, FS_IOC_GETVERSION, &gen), 0);
        close(fd);
        /* the 32-bit generation, zero-extended: no stale stack bytes */
        assert_true(version == (uint64_t)gen);
        assert_int_equal(pfsTestGetversion(H(state), "//nope", &version), -ENOENT);
        /* special files are not opened, not even for this */
        assert_int_equal(pfsTestGetversion(H(state), "//fifo", &version), -ENXIO);
    } else {
        assert_true(version == 0);
    }
}


/* ---- read-only exports ---- */

static void
testReadonly(void **state)
{
    struct stat st;
    int fd = -1;

    hostFile(state, "f", "x");
    assert_int_equal(pfsTestLstat(H(state), "//f", &st), 0);
    assert_int_equal(pfsTestOpen(H(state), "//f", O_RDONLY, &fd), PFS_PROXY_FD_VALID);
    close(fd);
    fd = -1;
    assert_int_equal(pfsTestOpen(H(state), "//f", O_RDWR, &fd), -EROFS);
    assert_int_equal(pfsTestOpen(H(state), "//f", O_RDONLY | O_TRUNC, &fd), -EROFS);
    assert_int_equal(fd, -1);
    assert_int_equal(pfsTestCreate(H(state), "//n", O_CREAT | O_RDWR, 0644, 0, 0, &fd), -EROFS);
    assert_int_equal(pfsTestMkdir(H(state), 0, 0, "//d", 0755), -EROFS);
    assert_int_equal(pfsTestMknod(H(state), 0, 0, "//p", S_IFIFO | 0644, 0), -EROFS);
    assert_int_equal(pfsTestSymlink(H(state), 0, 0, "f", "//s"), -EROFS);
    assert_int_equal(pfsTestLink(H(state), "//f", "//l"), -EROFS);
    assert_int_equal(pfsTestChmod(H(state), "//f", 0600), -EROFS);
    assert_int_equal(pfsTestChown(H(state), "//f", 1, 1), -EROFS);
    assert_int_equal(pfsTestTruncate(H(state), "//f", 0), -EROFS);
    assert_int_equal(pfsTestUtime(H(state), "//f", 0, 0, 0, 0), -EROFS);
    assert_int_equal(pfsTestRename(H(state), "//f", "//g"), -EROFS);
    assert_int_equal(pfsTestRemove(H(state), "//f"), -EROFS);
    assert_int_equal(pfsTestSetxattr(H(state), "//f", "user.a", "v", 1, 1, 0), -EROFS);
    assert_int_equal(pfsTestRemovexattr(H(state), "//f", "user.a"), -EROFS);
    assert_int_equal(pfsTestGetxattr(H(state), 0, "//f", "user.a", NULL, NULL), -ENODATA);
    hostStat(state, "f", &st);
    assert_int_equal(st.st_size, 1);
    assert_int_equal(st.st_mode & 07777, 0644);
}


#define T(fn) cmocka_unit_test_setup_teardown(fn, setupExport, teardownExport)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(testLstatRoot),
        T(testLstatFileAndLink),
        T(testLstatDotDot),
        T(testPathWithoutNul),
        T(testOpenRegular),
        T(testOpenFlags),
        T(testOpenDirectory),
        T(testOpenSymlink),
        T(testOpenErrors),
        T(testOpenSpecialFiles),
        T(testCreateOwnerAndMode),
        T(testCreateSetidModes),
        T(testCreateExisting),
        T(testCreateInSetgidDir),
        T(testCreateRootUnchangedGid),
        T(testMknod),
        cmocka_unit_test_setup_teardown(testMknodDevicesAllowed,
                                        setupDeviceExport, teardownExport),
        T(testMkdir),
        T(testSymlink),
        T(testLink),
        T(testReadlink),
        T(testStatfs),
        T(testChmod),
        T(testChmodDirAndFifo),
        T(testChown),
        T(testTruncate),
        T(testUtime),
        T(testRename),
        T(testRemove),
        T(testXattrs),
        T(testXattrOnSymlink),
        T(testGetversion),
        cmocka_unit_test_setup_teardown(testReadonly,
                                        setupReadonlyExport, teardownExport),
    };

    return cmocka_run_group_tests_name("proxyfs conformance", tests, NULL, NULL);
}
