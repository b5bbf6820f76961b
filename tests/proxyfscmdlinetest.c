/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxyfscmdlinetest.c: virt-proxyfs-helper's command line, QEMU's
 * helper's options included, start-up errors, socket and daemon modes,
 * and the capabilities it keeps
 */
#include "pfsinternal.h"

#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pfsfdpass.h"
#include "pfsfile.h"
#include "pfstestclient.h"
#include "pfstestexport.h"
#include "pfstestutils.h"

typedef struct {
    int status;
    char *out;
    char *err;
} runResult;

static void
runResultClear(runResult *res)
{
    g_free(res->out);
    g_free(res->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(runResult, runResultClear);

/* Run the helper with @args (NULL-terminated), keeping @keepFd open in it,
 * and collect its exit status and output. */
static void
runHelperv(runResult *res, int keepFd, const char *const *args)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autoptr(GError) err = NULL;
    int status = 0;
    GSpawnFlags flags = G_SPAWN_DEFAULT;

    g_ptr_array_add(argv, (char *)pfsTestHelperBinary());
    for (; *args; args++)
        g_ptr_array_add(argv, (char *)*args);
    g_ptr_array_add(argv, NULL);

    if (keepFd >= 0) {
        pfsSetCloseExec(keepFd, false);
        flags |= G_SPAWN_LEAVE_DESCRIPTORS_OPEN;
    }
    if (!g_spawn_sync(NULL, (char **)argv->pdata, NULL, flags, NULL, NULL,
                      &res->out, &res->err, &status, &err)) {
        print_error("spawn: %s\n", err->message);
        fail();
    }
    if (keepFd >= 0)
        pfsSetCloseExec(keepFd, true);
    res->status = status;
}

#define runHelper(res, keepFd, ...) \
    runHelperv(res, keepFd, (const char *const[]){ __VA_ARGS__ })


static void
assertExit(const runResult *res, int code, const char *errText)
{
    if (!WIFEXITED(res->status) || WEXITSTATUS(res->status) != code ||
        (errText && !strstr(res->err, errText))) {
        print_error("expected exit %d with '%s'; got status 0x%x, stderr:\n%s\n",
                    code, errText ? errText : "", res->status, res->err);
        fail();
    }
}


static void
testHelpAndVersion(void **state)
{
    g_auto(runResult) help = { 0 };
    g_auto(runResult) version = { 0 };
    static const char *const options[] = {
        "--path", "--fd", "--socket", "--uid", "--gid", "--nodaemon",
        "--readonly", "--allow-device-nodes", "--log-level", "--version",
        "--busy-poll",
    };
    size_t i;

    runHelper(&help, -1, "--help", NULL);
    assertExit(&help, 0, NULL);
    for (i = 0; i < G_N_ELEMENTS(options); i++)
        assert_non_null(strstr(help.out, options[i]));

    runHelper(&version, -1, "--version", NULL);
    assertExit(&version, 0, NULL);
    assert_string_equal(version.out, "virt-proxyfs-helper " PACKAGE_VERSION "\n");
}


static void
testUsageErrors(void **state)
{
    g_autofree char *dir = pfsTestMakeTempDir("cmdline");
    g_autofree char *file = g_build_filename(dir, "file", NULL);
    g_autofree char *link = g_build_filename(dir, "link", NULL);
    int pipefd[2];
    struct {
        const char *args[12];
        const char *err;
    } cases[] = {
        { { NULL }, "--path" },
        { { "-p", dir, NULL }, "either --fd or --socket" },
        { { "-p", dir, "-f", "3", "-s", "/tmp/x", "-u", "0", NULL }, "cannot be used together" },
        { { "-p", dir, "-s", "/tmp/x", "-u", "0", NULL }, "--uid and --gid" },
        { { "-p", dir, "-s", "/tmp/x", "-g", "0", NULL }, "--uid and --gid" },
        { { "-p", dir, "-s", "/tmp/x", "-u", "x", "-g", "0", NULL }, "invalid uid 'x'" },
        { { "-p", dir, "-s", "/tmp/x", "-u", "0", "-g", "-1", NULL }, "invalid gid '-1'" },
        { { "-p", dir, "-f", "abc", NULL }, "invalid file descriptor 'abc'" },
        { { "-p", dir, "-f", "-3", NULL }, "invalid file descriptor" },
        { { "-p", dir, "-f", "3", "--log-level", "loud", NULL }, "unknown log level 'loud'" },
        { { "-p", dir, "-f", "3", "--bogus", NULL }, "--bogus" },
        { { "-p", dir, "-f", "3", "extra", NULL }, "unexpected argument 'extra'" },
        { { "-p", dir, "-f", "3", "--busy-poll", "soon", NULL }, "invalid busy-poll time 'soon'" },
        { { "-p", dir, "-f", "3", "--busy-poll", "-1", NULL }, "invalid busy-poll time '-1'" },
        { { "-p", dir, "-f", "3", "--busy-poll", "1001", NULL }, "from 0 to 1000" },
    };
    size_t i;

    pfsTestWriteFile(dir, "file", "x");
    assert_int_equal(symlink(dir, link), 0);
    assert_int_equal(pipe(pipefd), 0);

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_auto(runResult) res = { 0 };

        runHelperv(&res, -1, cases[i].args);
        assertExit(&res, 1, cases[i].err);
    }

    /* what --fd names must be a connected Unix stream socket */
    {
        g_auto(runResult) res = { 0 };
        g_autofree char *fd = g_strdup_printf("%d", pipefd[0]);
        runHelper(&res, pipefd[0], "-n", "-p", dir, "-f", fd, NULL);
        assertExit(&res, 1, "is not a Unix stream socket");
    }
    {
        g_auto(runResult) res = { 0 };
        runHelper(&res, -1, "-n", "-p", dir, "-f", "987", NULL);
        assertExit(&res, 1, "file descriptor 987 is not open");
    }
    close(pipefd[0]);
    close(pipefd[1]);

    /* the export: an existing absolute directory, not a symlink */
    {
        int sv[2];
        g_autofree char *fd = NULL;
        const char *bad[][2] = {
            { "/nonexistent", "cannot open export path '/nonexistent'" },
            { file, "is not a directory" },
            { link, "is not a directory" },
            { "relative/dir", "is not absolute" },
        };

        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        fd = g_strdup_printf("%d", sv[1]);
        for (i = 0; i < G_N_ELEMENTS(bad); i++) {
            g_auto(runResult) res = { 0 };
            runHelper(&res, sv[1], "-n", "-p", bad[i][0], "-f", fd, NULL);
            assertExit(&res, 1, bad[i][1]);
        }
        close(sv[0]);
        close(sv[1]);
    }
    pfsTestRemoveTree(dir);
}


static bool
waitForPath(const char *path, int ms)
{
    struct stat st;
    int waited;

    for (waited = 0; waited < ms; waited += 10) {
        if (lstat(path, &st) == 0)
            return true;
        g_usleep(10000);
    }
    return false;
}


static int
connectTo(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}


/* Wait for @pid, which must exit with @code. */
static void
reapChild(pid_t pid, int code)
{
    int status;

    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == code);
}


/* Connect to @path from a child process running as @uid:@gid (the
 * helper checks its client's credentials); returns our copy of the fd. */
static int
connectAs(const char *path, uid_t uid, gid_t gid)
{
    int sv[2];
    pid_t pid;
    int fd;

    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    if ((pid = fork()) == 0) {
        if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 ||
            setresuid(uid, uid, uid) < 0 || (fd = connectTo(path)) < 0 ||
            pfsFDSendWithData(sv[1], "x", 1, fd) < 0)
            _exit(1);
        _exit(0);
    }
    close(sv[1]);
    fd = -1;
    assert_int_equal(pfsFDRecvWithData(sv[0], &(char){ 0 }, 1, &fd), 1);
    close(sv[0]);
    reapChild(pid, 0);
    return fd;
}


/* Wait until something listens on the (stale) socket @path. */
static bool
waitForListening(const char *path, int ms)
{
    for (; ms > 0; ms -= 10) {
        int fd = connectTo(path);

        if (fd >= 0) {
            /* a root connection: the helper turns it away and waits on */
            close(fd);
            return true;
        }
        g_usleep(10 * 1000);
    }
    return false;
}


/* Serve one lstat of the root over @fd, then hang up. */
static void
serveOneLstat(int fd)
{
    pfsTestHelper client = { .pid = 0, .sock = fd };
    struct stat st;

    assert_int_equal(pfsTestLstat(&client, "/", &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    close(fd);
}


/* Start the helper with @argv in the background, its stderr to
 * /dev/null; the caller reaps it. */
static GPid
spawnHelper(const char *const *argv)
{
    GPid pid;

    assert_true(g_spawn_async(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD |
                              G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &pid, NULL));
    return pid;
}


/* Connect to @sock as QEMU (1000:1001), have one lstat served, and reap
 * the helper @pid, which ends cleanly once QEMU hangs up. */
static void
serveQemu(const char *sock, GPid pid)
{
    int fd = connectAs(sock, 1000, 1001);

    assert_true(fd >= 0);
    serveOneLstat(fd);
    reapChild(pid, 0);
}


static void
testSocketMode(void **state)
{
    g_autofree char *dir = pfsTestMakeTempDir("sock");
    g_autofree char *sock = g_build_filename(dir, "proxy.sock", NULL);
    g_autofree char *exp = g_build_filename(dir, "export", NULL);
    const char *argv[] = { pfsTestHelperBinary(), "-n", "-p", exp, "-s", sock,
                           "-u", "1000", "-g", "1001", NULL };
    GPid pid;
    int status;
    struct stat st;
    int fd;

    PFS_TEST_REQUIRE_ROOT();
    assert_int_equal(mkdir(exp, 0755), 0);
    pid = spawnHelper(argv);
    assert_true(waitForPath(sock, 5000));
    /* srw------- owned by the given user (QEMU's) and group */
    assert_int_equal(lstat(sock, &st), 0);
    assert_true(S_ISSOCK(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(st.st_uid, 1000);
    assert_int_equal(st.st_gid, 1001);

    /* root is not QEMU's user: turned away (the connection is closed
     * unanswered), and the helper keeps waiting for uid 1000 */
    fd = connectTo(sock);
    assert_true(fd >= 0);
    {
        char c;
        assert_int_equal(read(fd, &c, 1), 0);
        close(fd);
    }
    assert_int_equal(waitpid(pid, &status, WNOHANG), 0);

    fd = connectAs(sock, 1000, 1001);
    assert_true(fd >= 0);
    /* as QEMU does once connected; the helper may have been first, as it
     * removes its socket once a client is there */
    assert_true(unlink(sock) == 0 || errno == ENOENT);
    serveOneLstat(fd);
    reapChild(pid, 0);

    /* stopped before anyone connected: the socket does not stay behind */
    pid = spawnHelper(argv);
    assert_true(waitForPath(sock, 5000));
    assert_int_equal(kill(pid, SIGTERM), 0);
    reapChild(pid, 1);
    assert_int_equal(lstat(sock, &st), -1);

    /* a path that exists and is not a socket is refused */
    assert_int_equal(mknod(sock, S_IFREG | 0600, 0), 0);
    {
        g_auto(runResult) res = { 0 };
        runHelper(&res, -1, "-n", "-p", exp, "-s", sock, "-u", "0", "-g", "0", NULL);
        assertExit(&res, 1, "already exists and is not a socket");
    }
    assert_int_equal(unlink(sock), 0);
    /* a socket somebody listens on is refused; a stale one (a crashed
     * helper's) is replaced */
    {
        g_auto(runResult) res = { 0 };
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        g_strlcpy(addr.sun_path, sock, sizeof(addr.sun_path));
        assert_int_equal(bind(lfd, (struct sockaddr *)&addr, sizeof(addr)), 0);
        assert_int_equal(listen(lfd, 1), 0);
        runHelper(&res, -1, "-n", "-p", exp, "-s", sock, "-u", "0", "-g", "0", NULL);
        assertExit(&res, 1, "is in use by another process");
        close(lfd);
    }
    pid = spawnHelper(argv);
    assert_true(waitForListening(sock, 5000));
    serveQemu(sock, pid);
    /* served: the helper removed its socket itself */
    assert_int_equal(lstat(sock, &st), -1);
    {
        g_auto(runResult) res = { 0 };
        g_autofree char *longPath = g_strnfill(120, 'x');
        runHelper(&res, -1, "-n", "-p", exp, "-s", longPath, "-u", "0", "-g", "0", NULL);
        assertExit(&res, 1, "too long");
    }
    pfsTestRemoveTree(dir);
}


/* The names in @dir other than "export", sorted, joined by spaces. */
static char *
listDir(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    const char *name;

    assert_non_null(d);
    while ((name = g_dir_read_name(d))) {
        if (strcmp(name, "export") != 0)
            g_ptr_array_add(names, (char *)name);
    }
    g_ptr_array_sort(names, pfsTestCompareStrPtr);
    g_ptr_array_add(names, NULL);
    return g_strjoinv(" ", (char **)names->pdata);
}


static void
assertDirHolds(const char *dir, const char *want)
{
    g_autofree char *got = listDir(dir);

    if (strcmp(got, want) != 0) {
        print_error("'%s' holds '%s', expected '%s'\n", dir, got, want);
        fail();
    }
}


/* What stands at the socket's path before the helper starts: whatever is
 * refused stays as it was (a symlink is not followed), a stale socket is
 * replaced, and the private directory the helper makes its socket in is
 * never left behind. */
static void
testSocketPathSafety(void **state)
{
    g_autofree char *dir = pfsTestMakeTempDir("socksafe");
    g_autofree char *sock = g_build_filename(dir, "proxy.sock", NULL);
    g_autofree char *exp = g_build_filename(dir, "export", NULL);
    g_autofree char *victim = g_build_filename(dir, "victim", NULL);
    const char *argv[] = { pfsTestHelperBinary(), "-n", "-p", exp, "-s", sock,
                           "-u", "1000", "-g", "1001", NULL };
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    struct stat st;
    GPid pid;
    int lfd;

    PFS_TEST_REQUIRE_ROOT();
    assert_int_equal(mkdir(exp, 0755), 0);
    pfsTestWriteFile(dir, "victim", "secret\n");
    assert_int_equal(chmod(victim, 0640), 0);

    /* a symlink, even to a socket or to a file the helper could chown */
    assert_int_equal(symlink(victim, sock), 0);
    {
        g_auto(runResult) res = { 0 };
        runHelperv(&res, -1, argv + 1);
        assertExit(&res, 1, "already exists and is not a socket");
    }
    assert_int_equal(lstat(sock, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_int_equal(stat(victim, &st), 0);
    assert_int_equal(st.st_uid, 0);
    assert_int_equal(st.st_gid, 0);
    assert_int_equal(st.st_mode & 07777, 0640);
    assertDirHolds(dir, "proxy.sock victim");
    assert_int_equal(unlink(sock), 0);

    /* a directory */
    assert_int_equal(mkdir(sock, 0700), 0);
    {
        g_auto(runResult) res = { 0 };
        runHelperv(&res, -1, argv + 1);
        assertExit(&res, 1, "already exists and is not a socket");
    }
    assert_int_equal(lstat(sock, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assertDirHolds(dir, "proxy.sock victim");
    assert_int_equal(rmdir(sock), 0);

    /* a live socket */
    g_strlcpy(addr.sun_path, sock, sizeof(addr.sun_path));
    lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_int_equal(bind(lfd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    assert_int_equal(listen(lfd, 1), 0);
    assert_int_equal(lstat(sock, &st), 0);
    {
        g_auto(runResult) res = { 0 };
        struct stat after;

        runHelperv(&res, -1, argv + 1);
        assertExit(&res, 1, "is in use by another process");
        assert_int_equal(lstat(sock, &after), 0);
        assert_int_equal(after.st_ino, st.st_ino);
        assert_int_equal(after.st_uid, 0);
    }
    assertDirHolds(dir, "proxy.sock victim");

    /* the same socket, stale: replaced by one of the helper's */
    close(lfd);
    pid = spawnHelper(argv);
    assert_true(waitForListening(sock, 5000));
    {
        struct stat now;

        assert_int_equal(lstat(sock, &now), 0);
        assert_true(S_ISSOCK(now.st_mode));
        assert_int_not_equal(now.st_ino, st.st_ino);
        assert_int_equal(now.st_uid, 1000);
        assert_int_equal(now.st_gid, 1001);
        assert_int_equal(now.st_mode & 07777, 0600);
    }
    /* listening: nothing but the socket is left of its making */
    assertDirHolds(dir, "proxy.sock victim");
    serveQemu(sock, pid);
    assertDirHolds(dir, "victim");

    /* stopped while waiting: nothing left */
    pid = spawnHelper(argv);
    assert_true(waitForPath(sock, 5000));
    assert_int_equal(kill(pid, SIGTERM), 0);
    reapChild(pid, 1);
    assertDirHolds(dir, "victim");

    /* stopped while waiting, after someone replaced its socket: what is
     * not the helper's stays */
    pid = spawnHelper(argv);
    assert_true(waitForPath(sock, 5000));
    {
        g_autofree char *tmp = g_build_filename(dir, "link.tmp", NULL);

        assert_int_equal(symlink(victim, tmp), 0);
        assert_int_equal(rename(tmp, sock), 0);
    }
    assert_int_equal(kill(pid, SIGTERM), 0);
    reapChild(pid, 1);
    assert_int_equal(lstat(sock, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assertDirHolds(dir, "proxy.sock victim");
    assert_int_equal(stat(victim, &st), 0);
    assert_int_equal(st.st_uid, 0);
    assert_int_equal(st.st_mode & 07777, 0640);

    /* a path that cannot name a socket */
    {
        g_auto(runResult) res = { 0 };
        g_autofree char *slash = g_strdup_printf("%s/", sock);

        runHelper(&res, -1, "-n", "-p", exp, "-s", slash, "-u", "0", "-g", "0", NULL);
        assertExit(&res, 1, "does not name a file");
    }
    assertDirHolds(dir, "proxy.sock victim");
    pfsTestRemoveTree(dir);
}


static void
testDaemonSocketMode(void **state)
{
    g_autofree char *dir = pfsTestMakeTempDir("daemon");
    g_autofree char *sock = g_build_filename(dir, "proxy.sock", NULL);
    g_autofree char *exp = g_build_filename(dir, "export", NULL);
    g_auto(runResult) res = { 0 };
    struct stat st;
    int fd;

    assert_int_equal(mkdir(exp, 0755), 0);
    /* the launching process returns once the socket listens, not before */
    runHelper(&res, -1, "-p", exp, "-s", sock, "-u", "0", "-g", "0", NULL);
    if (geteuid() != 0) {
        /* chown to root is refused to a normal user */
        assertExit(&res, 1, "cannot change owner");
        pfsTestRemoveTree(dir);
        return;
    }
    assertExit(&res, 0, NULL);
    assert_int_equal(lstat(sock, &st), 0);
    fd = connectTo(sock);
    assert_true(fd >= 0);
    serveOneLstat(fd);
    pfsTestRemoveTree(dir);
}


static void
testDaemonErrors(void **state)
{
    g_auto(runResult) res = { 0 };

    /* errors after the fork still reach the launcher's stderr */
    runHelper(&res, -1, "-p", "/nonexistent", "-s", "/tmp/never.sock",
              "-u", "0", "-g", "0", NULL);
    assertExit(&res, 1, "cannot open export path '/nonexistent'");
}


static void
testDaemonFdMode(void **state)
{
    g_autofree char *dir = pfsTestMakeTempDir("daemonfd");
    g_auto(runResult) res = { 0 };
    g_autofree char *fdstr = NULL;
    int sv[2];

    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    assert_int_equal(dup2(sv[1], 100), 100);
    fdstr = g_strdup("100");
    runHelper(&res, 100, "-p", dir, "-f", fdstr, NULL);
    assertExit(&res, 0, NULL);
    close(100);
    close(sv[1]);
    serveOneLstat(sv[0]);
    pfsTestRemoveTree(dir);
}


static guint64
statusField(pid_t pid, const char *field)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/status", (int)pid);
    g_autofree char *status = pfsTestReadFile(path);
    g_autofree char *key = g_strdup_printf("\n%s:", field);
    char *line;

    assert_non_null(status);
    line = strstr(status, key);
    assert_non_null(line);
    return g_ascii_strtoull(line + strlen(key), NULL, 16);
}


static void
checkCaps(const char *const *extra, guint64 expected)
{
    g_autoptr(pfsTestExport) exp = pfsTestExportNew(NULL, extra);
    pid_t pid = exp->helper->pid;

    /* the first reply proves the helper finished starting up */
    assert_int_equal(pfsTestLstat(exp->helper, "/", NULL), 0);
    assert_true(statusField(pid, "CapEff") == expected);
    assert_true(statusField(pid, "CapPrm") == expected);
    assert_true(statusField(pid, "CapInh") == 0);
    assert_true(statusField(pid, "CapBnd") == 0);
    assert_true(statusField(pid, "CapAmb") == 0);
    assert_true(statusField(pid, "Threads") == 1);
}


static void
testCapabilities(void **state)
{
    const char *const devices[] = { "--allow-device-nodes", NULL };

    PFS_TEST_REQUIRE_ROOT();
    /* CHOWN, DAC_OVERRIDE, FOWNER, FSETID; and MKNOD when allowed */
    checkCaps(NULL, 0x1b);
    checkCaps(devices, 0x1b | (1ULL << 27));
}


/* An export named with "..", "." or a symlinked parent is served as its
 * canonical directory (the sandbox mounts it by name). */
static void
testExportCanonicalized(void **state)
{
    g_autofree char *top = pfsTestMakeTempDir("canon");
    g_autofree char *real = g_build_filename(top, "real", NULL);
    g_autofree char *via = g_build_filename(top, "via", NULL);
    g_autofree char *share = g_build_filename(real, "share", NULL);
    g_autofree char *marker = g_build_filename(share, "marker", NULL);
    const char *spellings[] = { "real/share/../share", "./real/share", "via/share" };
    struct stat want;
    size_t i;

    assert_int_equal(g_mkdir_with_parents(share, 0755), 0);
    pfsTestWriteFile(share, "marker", "x");
    assert_int_equal(symlink("real", via), 0);
    assert_int_equal(stat(marker, &want), 0);

    for (i = 0; i < G_N_ELEMENTS(spellings); i++) {
        g_autofree char *path = g_strdup_printf("%s/%s", top, spellings[i]);
        g_autoptr(pfsTestHelper) h = pfsTestHelperStart(pfsTestHelperBinary(), path, NULL);
        g_autofree char *log = NULL;
        struct stat st;

        assert_non_null(h);
        assert_int_equal(pfsTestLstat(h, "//marker", &st), 0);
        assert_int_equal(st.st_ino, want.st_ino);
        assert_int_equal(pfsTestHelperFinish(h), 0);
        log = pfsTestHelperLog(h);
        if (!strstr(log, real)) {
            print_error("'%s' not served as its canonical path:\n%s\n", path, log);
            fail();
        }
    }
    pfsTestRemoveTree(top);
}


/* One failing lstat through a helper started with @extra; its log. */
static char *
logOfOneRequest(const char *const *extra)
{
    g_autofree char *dir = pfsTestMakeTempDir("log");
    g_autoptr(pfsTestHelper) h = pfsTestHelperStart(pfsTestHelperBinary(), dir, extra);
    char *log;

    assert_non_null(h);
    assert_int_equal(pfsTestLstat(h, "//missing", NULL), -ENOENT);
    assert_int_equal(pfsTestHelperFinish(h), 0);
    log = pfsTestHelperLog(h);
    pfsTestRemoveTree(dir);
    return log;
}


/* The scheduler state of @pid: 'R', 'S', ... */
static char
processState(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
    g_autofree char *stat = pfsTestReadFile(path);
    char *end;

    assert_non_null(stat);
    /* "PID (COMM) STATE ...": COMM may hold anything, even ") " */
    end = strrchr(stat, ')');
    assert_non_null(end);
    return end[2];
}


/* --busy-poll: requests are served whether they come during the poll,
 * split across it, or after it; the poll ends by itself (the helper
 * sleeps when nobody asks), and an EOF during it ends the helper cleanly. */
static void
testBusyPoll(void **state)
{
    static const char *const extra[] = { "--busy-poll=1000", NULL };
    g_autoptr(pfsTestExport) exp = pfsTestExportNew(NULL, extra);
    pfsTestHelper *h = exp->helper;
    static pfsTestMsg msg;
    uint8_t header[PFS_PROXY_HEADER_SIZE];
    uint32_t type;
    struct stat st;
    int i;
    int status;

    pfsTestWriteFile(exp->root, "file", "x");

    /* back to back: each request arrives while the helper polls */
    for (i = 0; i < 200; i++)
        assert_int_equal(pfsTestLstat(h, "/file", &st), 0);
    assert_int_equal(st.st_size, 1);

    /* a request whose bytes arrive in pieces, during the poll and after */
    pfsTestMsgBuild(&msg, PFS_PROXY_T_LSTAT, "p", "/file");
    assert_int_equal(pfsTestSendRaw(h, msg.buf, 3), 0);
    g_usleep(300);
    assert_int_equal(pfsTestSendRaw(h, msg.buf + 3, 7), 0);
    g_usleep(3000);
    assert_int_equal(pfsTestSendRaw(h, msg.buf + 10, msg.len - 10), 0);
    assert_int_equal(recv(h->sock, header, sizeof(header), MSG_WAITALL),
                     sizeof(header));
    memcpy(&type, header, sizeof(type));
    assert_int_equal(type, PFS_PROXY_T_SUCCESS);
    /* the reply's payload: the same stat as before */
    {
        uint32_t size;
        g_autofree uint8_t *payload = NULL;

        memcpy(&size, header + 4, sizeof(size));
        assert_true(size > 0 && size <= PFS_PROXY_MAX_PAYLOAD);
        payload = g_malloc(size);
        assert_int_equal(recv(h->sock, payload, size, MSG_WAITALL), size);
    }

    /* with nobody asking, the poll ends and the helper sleeps in read() */
    for (i = 0; i < 500 && processState(h->pid) != 'S'; i++)
        g_usleep(10 * 1000);
    assert_int_equal(processState(h->pid), 'S');
    assert_int_equal(pfsTestLstat(h, "/file", NULL), 0);

    /* hang up while it polls: a clean end */
    status = pfsTestExportStopHelper(exp);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}


static void
testLogLevels(void **state)
{
    const char *const debug[] = { "--log-level", "debug", NULL };
    const char *const quiet[] = { "--log-level", "error", NULL };
    g_autofree char *normal = logOfOneRequest(NULL);
    g_autofree char *loud = logOfOneRequest(debug);
    g_autofree char *silent = logOfOneRequest(quiet);

    /* foreground logs go to stderr, prefixed with the level */
    assert_non_null(strstr(normal, "info: serving"));
    assert_non_null(strstr(normal, "info: client disconnected after 1 requests"));
    assert_null(strstr(normal, "debug:"));
    assert_non_null(strstr(loud, "debug: lstat: -2"));
    assert_string_equal(silent, "");
}


int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(testHelpAndVersion),
        cmocka_unit_test(testUsageErrors),
        cmocka_unit_test(testSocketMode),
        cmocka_unit_test(testSocketPathSafety),
        cmocka_unit_test(testDaemonSocketMode),
        cmocka_unit_test(testDaemonErrors),
        cmocka_unit_test(testDaemonFdMode),
        cmocka_unit_test(testCapabilities),
        cmocka_unit_test(testExportCanonicalized),
        cmocka_unit_test(testLogLevels),
        cmocka_unit_test(testBusyPoll),
    };

    return cmocka_run_group_tests_name("proxyfs command line", tests, NULL, NULL);
}
