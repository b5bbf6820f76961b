/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * utilspawntest.c: starting, waiting for and stopping programs
 *
 * Some cases run this program itself as the child, in a mode that
 * describes what it got (see pfsTestChildMain()).
 */
#include "pfsinternal.h"

#include <cap-ng.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pfscmdline.h"
#include "pfserror.h"
#include "pfsfile.h"
#include "pfsspawn.h"
#include "pfstestutils.h"

extern char **environ;

static char *selfExe;
static int fdsBefore;


/* ---- the child side: this program run with "--child MODE OUT ..." ---- */

static int
pfsTestChildCompareInt(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}


/* "FD TARGET" for every open fd, by number; listed before OUT is opened */
static void
pfsTestChildListFds(GString *out)
{
    DIR *dir = opendir("/proc/self/fd");
    struct dirent *ent;
    int fds[1024];
    size_t nfds = 0;
    size_t i;

    if (!dir)
        exit(2);
    while ((ent = readdir(dir)) && nfds < G_N_ELEMENTS(fds)) {
        int fd;

        if (pfsParseFD(ent->d_name, &fd) == 0 && fd != dirfd(dir))
            fds[nfds++] = fd;
    }
    closedir(dir);
    qsort(fds, nfds, sizeof(int), pfsTestChildCompareInt);
    for (i = 0; i < nfds; i++) {
        g_autofree char *link = g_strdup_printf("/proc/self/fd/%d", fds[i]);
        g_autofree char *target = g_file_read_link(link, NULL);

        g_string_append_printf(out, "%d %s\n", fds[i], target ? target : "?");
    }
}


static int
pfsTestChildMain(int argc, char **argv)
{
    g_autoptr(GString) out = g_string_new(NULL);
    const char *mode = argv[2];
    const char *path = argv[3];
    char **env;
    int i;

    if (strcmp(mode, "fds") == 0) {
        pfsTestChildListFds(out);
    } else if (strcmp(mode, "env") == 0) {
        for (i = 4; i < argc; i++)
            g_string_append_printf(out, "arg:%s\n", argv[i]);
        for (env = environ; *env; env++)
            g_string_append_printf(out, "env:%s\n", *env);
    } else if (strcmp(mode, "ids") == 0) {
        g_string_append_printf(out, "%lld %lld\n", (long long)getpid(),
                               (long long)getsid(0));
    } else {
        return 2;
    }

    if (strcmp(path, "-") == 0) {
        if (pfsSafeWrite(STDOUT_FILENO, out->str, out->len) < 0)
            return 3;
    } else if (!g_file_set_contents(path, out->str, out->len, NULL)) {
        return 3;
    }
    return 0;
}


/* ---- helpers ---- */

/* Kill and reap the children a failed case left behind, so that the
 * cases after it start clean; how many there were. */
static int
pfsTestReapLeftovers(void)
{
    g_autofree char *path = g_strdup_printf("/proc/self/task/%lld/children",
                                            (long long)getpid());
    g_autofree char *list = pfsTestReadFile(path);
    g_auto(GStrv) pids = NULL;
    int count = 0;
    size_t i;

    if (!list)
        return waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD ? 0 : 1;
    pids = g_strsplit(g_strstrip(list), " ", -1);
    for (i = 0; pids[i]; i++) {
        pid_t pid = atoi(pids[i]);

        if (pid <= 0)
            continue;
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        count++;
    }
    return count;
}


/* Every case leaves as many fds open as it found, and no child. */
static int
pfsTestSetup(void **state)
{
    pfsErrorReset();
    fdsBefore = pfsTestCountFds(getpid());
    return 0;
}


static int
pfsTestTeardown(void **state)
{
    int leftovers = pfsTestReapLeftovers();
    int fdsAfter = pfsTestCountFds(getpid());

    if (fdsAfter != fdsBefore) {
        print_error("%d fds open before the case, %d after\n", fdsBefore, fdsAfter);
        return -1;
    }
    if (leftovers > 0) {
        print_error("%d children were left behind\n", leftovers);
        return -1;
    }
    return 0;
}


/* Make our stdin a pipe for a while, so that a /dev/null on the child's
 * can only come from pfsSpawn(); returns what to give
 * pfsTestStdinRestore(). */
static int
pfsTestStdinPipe(void)
{
    int saved = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
    int pipefd[2];

    assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
    assert_int_equal(dup2(pipefd[0], STDIN_FILENO), STDIN_FILENO);
    close(pipefd[0]);
    close(pipefd[1]);
    return saved;
}


static void
pfsTestStdinRestore(int saved)
{
    if (saved < 0) {
        close(STDIN_FILENO);
        return;
    }
    dup2(saved, STDIN_FILENO);
    close(saved);
}


static pfsCmdline *
pfsTestSelfCmd(const char *mode, const char *out)
{
    pfsCmdline *cmd = pfsCmdlineNew(selfExe);

    pfsCmdlineAddArgList(cmd, "--child", mode, out, NULL);
    return cmd;
}


/* Start @cmd with its output into a pipe: returns the pipe's read end,
 * and the child in *@pid (ours to reap). */
static int
pfsTestSpawnPiped(const pfsCmdline *cmd, pfsSpawnAttrs *attrs, pid_t *pid)
{
    PFS_AUTOCLOSE wr = -1;
    int pipefd[2];

    assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
    wr = pipefd[1];
    attrs->outputFD = wr;
    if (pfsSpawn(cmd, attrs, pid) < 0) {
        close(pipefd[0]);
        fail_msg("spawn: %s", PFS_NULLSTR(pfsErrorLastMessage()));
    }
    return pipefd[0];
}


/* Run @cmd with its output into a pipe; the output, with *@status. */
static char *
pfsTestRunCapture(const pfsCmdline *cmd, pfsSpawnAttrs *attrs, int *status)
{
    g_autoptr(GString) out = g_string_new(NULL);
    PFS_AUTOCLOSE rd = -1;
    char buf[4096];
    ssize_t n;
    pid_t pid;

    rd = pfsTestSpawnPiped(cmd, attrs, &pid);
    while ((n = read(rd, buf, sizeof(buf))) > 0)
        g_string_append_len(out, buf, n);
    assert_int_equal(n, 0);
    assert_int_equal(pfsSpawnWait(pid, -1, status), 1);
    return g_string_free(g_steal_pointer(&out), FALSE);
}


/* The value of field @name of /proc/PID/status text. */
static char *
pfsTestStatusField(const char *status, const char *name)
{
    g_autofree char *key = g_strdup_printf("\n%s:", name);
    const char *p = strstr(status, key);
    const char *end;

    if (!p)
        fail_msg("no %s in:\n%s", name, status);
    p += strlen(key);
    end = strchr(p, '\n');
    return g_strstrip(g_strndup(p, end ? end - p : (gssize)strlen(p)));
}


/* /proc/self/status of /bin/cat run with @attrs. */
static char *
pfsTestRunCatStatus(pfsSpawnAttrs *attrs)
{
    g_autoptr(pfsCmdline) cmd = pfsCmdlineNew("/bin/cat");
    char *out;
    int status;

    pfsCmdlineAddArg(cmd, "/proc/self/status");
    out = pfsTestRunCapture(cmd, attrs, &status);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return out;
}


/* Run @fn in a forked process of ours (for what cannot be undone here:
 * dropping capabilities, closing stdio); what it writes to the fd it is
 * given is returned. */
static char *
pfsTestInSubprocess(void (*fn)(int fd))
{
    g_autoptr(GString) out = g_string_new(NULL);
    int pipefd[2];
    char buf[1024];
    ssize_t n;
    int status;
    pid_t pid;

    assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
    if ((pid = fork()) == 0) {
        close(pipefd[0]);
        fn(pipefd[1]);
        _exit(0);
    }
    assert_true(pid > 0);
    close(pipefd[1]);
    while ((n = read(pipefd[0], buf, sizeof(buf))) > 0)
        g_string_append_len(out, buf, n);
    close(pipefd[0]);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return g_string_free(g_steal_pointer(&out), FALSE);
}


/* In a subprocess: pfsSpawn()'s result, its message and whether it
 * left a child, as "RC|CHILDLESS|MESSAGE". */
static void
pfsTestSubprocessSpawn(int fd, const char *binary, const pfsSpawnAttrs *attrs)
{
    g_autoptr(pfsCmdline) cmd = pfsCmdlineNew(binary);
    g_autofree char *line = NULL;
    pid_t pid;
    int rc;
    bool childless;

    pfsErrorReset();
    rc = pfsSpawn(cmd, attrs, &pid);
    if (rc == 0)
        waitpid(pid, NULL, 0);
    childless = waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD;
    line = g_strdup_printf("%d|%d|%s", rc, childless,
                           PFS_NULLSTR(pfsErrorLastMessage()));
    pfsSafeWrite(fd, line, strlen(line));
}


/* ---- the cases ---- */

static void
testArgvAndEnv(void **state)
{
    g_autoptr(pfsCmdline) cmd = pfsCmdlineNew("/bin/sh");
    pfsSpawnAttrs attrs = PFS_SPAWN_ATTRS_INIT;
    g_autofree char *out = NULL;
    int status;

    pfsCmdlineAddArgList(cmd, "-c", "echo \"$1 $FOO\"", "sh", "one  two", NULL);
    pfsCmdlineAddEnvPair(cmd, "FOO", "b a r");
    out = pfsTestRunCapture(cmd, &attrs, &status);
    assert_string_equal(out, "one  two b a r\n");
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}


static void
testExactEnvironment(void **state)
{
    g_autoptr(pfsCmdline) cmd = pfsTestSelfCmd("env", "-");
    g_autoptr(pfsCmdline) bare = pfsTestSelfCmd("env", "-");
    pfsSpawnAttrs attrs = PFS_SPAWN_ATTRS_INIT;
    g_autofree char *out = NULL;
    g_autofree char *bareOut = NULL;
    int status;

    /* ours must not leak into the child's */
    g_setenv("PFS_SPAWN_TEST_LEAK", "1", TRUE);

    pfsCmdlineAddArgList(cmd, "a b", "", "c'd", NULL);
    pfsCmdlineAddEnvPair(cmd, "FOO", "bar");
    pfsCmdlineAddEnvPair(cmd, "EMPTY", "");
    out = pfsTestRunCapture(cmd, &attrs, &status);
    assert_string_equal(out,
                        "arg:a b\n" "arg:\n" "arg:c'd\n"
                        "env:FOO=bar\n" "env:EMPTY=\n");

    /* no environment at all, not ours */
    bareOut = pfsTestRunCapture(bare, &attrs, &status);
    assert_string_equal(bareOut, "");
    g_unsetenv("PFS_SPAWN_TEST_LEAK");
}


static void
testPassedFds(void **state)
{
    g_autoptr(pfsCmdline) cmd = pfsTestSelfCmd("fds", "-");
    pfsSpawnAttrs attrs = PFS_SPAWN_ATTRS_INIT;
    g_autofree char *out = NULL;
    g_autofree char *low = NULL;
    g_autofree char *high = NULL;
    g_auto(GStrv) lines = NULL;
    PFS_AUTOCLOSE passedLow = open("/dev/null", O_RDONLY | O_CLOEXEC);
    PFS_AUTOCLOSE passedHigh = -1;
    PFS_AUTOCLOSE notPassed = open("/dev/zero", O_RDONLY);   /* inheritable */
    int savedStdin;
    int status;

    assert_true(passedLow > 2 && notPassed > 2);
    passedHigh = fcntl(passedLow, F_DUPFD_CLOEXEC, 100);
    assert_true(passedHigh >= 100);
    pfsCmdlinePassFD(cmd, passedHigh);
    pfsCmdlinePassFD(cmd, passedLow);

    savedStdin = pfsTestStdinPipe();
    out = pfsTestRunCapture(cmd, &attrs, &status);
    pfsTestStdinRestore(savedStdin);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    lines = g_strsplit(out, "\n", -1);
    assert_int_equal(g_strv_length(lines), 6);
    /* stdin is /dev/null, stdout and stderr the same pipe */
    assert_string_equal(lines[0], "0 /dev/null");
    assert_true(g_str_has_prefix(lines[1], "1 pipe:["));
    assert_string_equal(lines[1] + 1, lines[2] + 1);
    assert_true(g_str_has_prefix(lines[2], "2 "));
    /* then the passed ones, and nothing else */
    low = g_strdup_printf("%d /dev/null", passedLow);
    high = g_strdup_printf("%d /dev/null", passedHigh);
    assert_string_equal(lines[3], low);
    assert_string_equal(lines[4], high);
    assert_string_equal(lines[5], "");

    /* the parent's own fds keep close-on-exec */
    assert_int_equal(fcntl(passedLow, F_GETFD), FD_CLOEXEC);
    assert_int_equal(fcntl(passedHigh, F_GETFD), FD_CLOEXEC);
}


static void
testDefaultStdio(void **state)
{
    g_autofree char *dir = pfsTestMakeTempDir("spawn");
    g_autofree char *path = g_build_filename(dir, "fds", NULL);
    g_autoptr(pfsCmdline) cmd = pfsTestSelfCmd("fds", path);
    g_autofree char *out = NULL;
    int savedStdin;
    int status;
    int rc;

    /* no attributes: all three are /dev/null */
    savedStdin = pfsTestStdinPipe();
    rc = pfsSpawnRun(cmd, NULL, &status);
    pfsTestStdinRestore(savedStdin);
    assert_int_equal(rc, 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    out = pfsTestReadFile(path);
    assert_non_null(out);
    assert_string_equal(out, "0 /dev/null\n1 /dev/null\n2 /dev/null\n");
    pfsTestRemoveTree(dir);
}


static void
testSignalsReset(void **state)
{
    pfsSpawnAttrs attrs = PFS_SPAWN_ATTRS_INIT;
    g_autofree char *out = NULL;
    g_autofree char *ign = NULL;
    g_autofree char *blk = NULL;
    struct sigaction ignore = { .sa_handler = SIG_IGN };
    struct sigaction oldPipe;
    sigset_t usr1;
    sigset_t oldMask;

    sigaction(SIGPIPE, &ignore, &oldPipe);
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, &oldMask);

    out = pfsTestRunCatStatus(&attrs);

    sigprocmask(SIG_SETMASK, &oldMask, NULL);
    sigaction(SIGPIPE, &oldPipe, NULL);

    ign = pfsTestStatusField(out, "SigIgn");
    blk = pfsTestStatusField(out, "SigBlk");
    assert_string_equal(ign, "0000000000000000");
    assert_string_equal(blk, "0000000000000000");
}


static void
testNewSession(void **state)
{
    g_autoptr(pfsCmdline) cmd = pfsTestSelfCmd("ids", "-");
    pfsSpawnAttrs attrs = PFS_SPAWN_ATTRS_INIT;
    g_autofree char *same = NULL;
    g_autofree char *fresh = NULL;
    long long pid;
    long long sid;
    int status;

    same = pfsTestRunCapture(cmd, &attrs, &status);
    assert_int_equal(sscanf(same, "%lld %lld", &pid, &sid), 2);
    assert_int_equal(sid, getsid(0));

    attrs.newSession = true;
    fresh = pfsTestRunCapture(cmd, &attrs, &status);
    assert_int_equal(sscanf(fresh, "%lld %lld", &pid, &sid), 2);
    assert_int_equal(sid, pid);
}


static void
testExitStatus(void **state)
{
    g_autoptr(pfsCmdline) exit3 = pfsCmdlineNew("/bin/sh");
    g_autoptr(pfsCmdline) killed = pfsCmdlineNew("/bin/sh");
    g_autofree char *desc3 = NULL;
    g_autofree char *desc9 = NULL;
    int status;

    pfsCmdlineAddArgList(exit3, "-c", "exit 3", NULL);
    assert_int_equal(pfsSpawnRun(exit3, NULL, &status), 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 3);
    desc3 = pfsSpawnDescribeStatus(status);
    assert_string_equal(desc3, "exited with status 3");

    pfsCmdlineAddArgList(killed, "-c", "kill -9 $$", NULL);
    assert_int_equal(pfsSpawnRun(killed, NULL, &status), 0);
    assert_true(WIFSIGNALED(status));
    desc9 = pfsSpawnDescribeStatus(status);
    assert_string_equal(desc9, "killed by signal 9 (Killed)");
}


static void
testDescribeStatus(void **state)
{
    struct {
        int status;
        const char *text;
    } cases[] = {
        { W_EXITCODE(0, 0), "exited with status 0" },
        { W_EXITCODE(1, 0), "exited with status 1" },
        { W_EXITCODE(255, 0), "exited with status 255" },
        { SIGTERM, "killed by signal 15 (Terminated)" },
        { SIGSEGV | 0x80, "killed by signal 11 (Segmentation fault), core dumped" },
        { W_STOPCODE(SIGSTOP), "stopped by signal 19 (Stopped (signal))" },
        { 0xffff, "ended with unknown status 0xffff" },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *text = pfsSpawnDescribeStatus(cases[i].status);

        assert_string_equal(text, cases[i].text);
    }
}


static void
testMissingBinary(void **state)
{
    g_autofree char *dir = pfsTestMakeTempDir("spawn");
    g_autofree char *pidFile = g_build_filename(dir, "prog.pid", NULL);
    g_autoptr(pfsCmdline) cmd = pfsCmdlineNew("/nonexistent/pfs-spawn-test");
    g_autoptr(GDir) listing = NULL;
    pfsSpawnAttrs attrs = PFS_SPAWN_ATTRS_INIT;
    pid_t pid = 0;

    attrs.pidFile = pidFile;
    assert_int_equal(pfsSpawn(cmd, &attrs, &pid), -1);
    assert_string_equal(pfsErrorLastMessage(),
                        "cannot execute '/nonexistent/pfs-spawn-test': No such file or directory");
    assert_int_equal(pfsErrorLastErrno(), ENOENT);
    assert_int_equal(pid, 0);
    /* neither the pid file nor its temporary file; no zombie (teardown) */
    listing = g_dir_open(dir, 0, NULL);
    assert_non_null(listing);
    assert_null(g_dir_read_name(listing));
    pfsTestRemoveTree(dir);
}


static void
testBadFds(void **state)
{
    g_autoptr(pfsCmdline) stdio = pfsCmdlineNew("/bin/true");
    g_autoptr(pfsCmdline) closed = pfsCmdlineNew("/bin/true");
    g_autoptr(pfsCmdline) plain = pfsCmdlineNew("/bin/true");
    pfsSpawnAttrs attrs = PFS_SPAWN_ATTRS_INIT;
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    pid_t pid;

    assert_true(fd > 2);
    close(fd);

    pfsCmdlinePassFD(stdio, 1);
    assert_int_equal(pfsSpawn(stdio, &attrs, &pid), -1);
    assert_string_equal(pfsErrorLastMessage(),
                        "cannot pass file descriptor 1 to '/bin/true': 0 to 2 are its standard streams");

    pfsCmdlinePassFD(closed, fd);
    assert_int_equal(pfsSpawn(closed, &attrs, &pid), -1);
    assert_int_equal(pfsErrorLastErrno(), EBADF);

    attrs.outputFD = fd;
    assert_int_equal(pfsSpawn(plain, &attrs, &pid), -1);
    assert_int_equal(pfsErrorLastErrno(), EBADF);
}


static void
testPidFile(void **state)
{
    g_autofree char *dir = pfsTestMakeTempDir("spawn");
    g_autofree char *pidFile = g_build_filename(dir, "prog.pid", NULL);
    g_autofree char *content = NULL;
    g_autofree char *expected = NULL;
    g_autoptr(pfsCmdline) cmd = pfsCmdlineNew("/bin/sh");
    g_autoptr(GDir) listing = NULL;
    PFS_AUTOCLOSE rd = -1;
    pfsSpawnAttrs attrs = PFS_SPAWN_ATTRS_INIT;
    char buf[64] = "";
    struct stat st;
    mode_t oldUmask;
    pid_t pid;
    int status;

    /* the child tells its pid, then waits for us to have read the file */
    pfsCmdlineAddArgList(cmd, "-c", "echo $$; exec sleep 100", NULL);
    attrs.pidFile = pidFile;

    oldUmask = umask(077);
    rd = pfsTestSpawnPiped(cmd, &attrs, &pid);
    umask(oldUmask);

    assert_true(read(rd, buf, sizeof(buf) - 1) > 0);
    expected = g_strdup_printf("%lld\n", (long long)pid);
    assert_string_equal(buf, expected);
    content = pfsTestReadFile(pidFile);
    assert_non_null(content);
    assert_string_equal(content, expected);
    assert_int_equal(stat(pidFile, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0644);
    listing = g_dir_open(dir, 0, NULL);
    assert_string_equal(g_dir_read_name(listing), "prog.pid");
    assert_null(g_dir_read_name(listing));

    assert_int_equal(pfsSpawnTerminate(pid, 5000, &status), 0);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
    pfsTestRemoveTree(dir);
}


static void
testPidFileFails(void **state)
{
    g_autoptr(pfsCmdline) cmd = pfsCmdlineNew("/bin/sleep");
    pfsSpawnAttrs attrs = PFS_SPAWN_ATTRS_INIT;
    gint64 start = g_get_monotonic_time();
    pid_t pid;

    /* the program started, so it must be killed (and reaped) */
    pfsCmdlineAddArg(cmd, "100");
    attrs.pidFile = "/nonexistent/prog.pid";
    assert_int_equal(pfsSpawn(cmd, &attrs, &pid), -1);
    assert_true(g_str_has_prefix(pfsErrorLastMessage(),
                                 "cannot create a temporary file for pid file '/nonexistent/prog.pid'"));
    assert_true(g_get_monotonic_time() - start < 20 * G_USEC_PER_SEC);
}


static void
testWaitTimeout(void **state)
{
    g_autoptr(pfsCmdline) cmd = pfsCmdlineNew("/bin/sleep");
    gint64 start;
    pid_t pid;
    int status;

    pfsCmdlineAddArg(cmd, "100");
    assert_int_equal(pfsSpawn(cmd, NULL, &pid), 0);
    assert_int_equal(pfsSpawnWait(pid, 0, &status), 0);
    start = g_get_monotonic_time();
    assert_int_equal(pfsSpawnWait(pid, 200, &status), 0);
    assert_true(g_get_monotonic_time() - start >= 200 * 1000);

    /* it dies of SIGTERM well within the grace */
    start = g_get_monotonic_time();
    assert_int_equal(pfsSpawnTerminate(pid, 30000, &status), 0);
    assert_true(g_get_monotonic_time() - start < 10 * G_USEC_PER_SEC);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);

    /* gone: no child of ours any more */
    assert_int_equal(pfsSpawnWait(pid, -1, &status), -1);
    assert_int_equal(pfsErrorLastErrno(), ECHILD);
    assert_int_equal(pfsSpawnWait(1, 10, &status), -1);
    assert_int_equal(pfsErrorLastErrno(), ECHILD);
}


static void
testTerminateIgnoringChild(void **state)
{
    g_autoptr(pfsCmdline) cmd = pfsCmdlineNew("/bin/sh");
    pfsSpawnAttrs attrs = PFS_SPAWN_ATTRS_INIT;
    PFS_AUTOCLOSE rd = -1;
    char buf[16] = "";
    gint64 start;
    gint64 took;
    pid_t pid;
    int status;

    /* "ready" once SIGTERM is ignored; sleep inherits that */
    pfsCmdlineAddArgList(cmd, "-c", "trap '' TERM; echo ready; exec sleep 100", NULL);
    rd = pfsTestSpawnPiped(cmd, &attrs, &pid);
    assert_int_equal(read(rd, buf, sizeof(buf) - 1), 6);
    assert_string_equal(buf, "ready\n");

    start = g_get_monotonic_time();
    assert_int_equal(pfsSpawnTerminate(pid, 300, &status), 0);
    took = g_get_monotonic_time() - start;
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGKILL);
    /* the whole grace, then not much more (the machine may be busy) */
    assert_true(took >= 300 * 1000);
    assert_true(took < 10 * G_USEC_PER_SEC);
}


static void
pfsTestClosedStdioSpawn(int fd)
{
    int devnull = open("/dev/null", O_RDWR);

    /* 0 to 2 free, so that the next fds opened get those numbers */
    close(STDIN_FILENO);
    close(STDOUT_FILENO);
    close(STDERR_FILENO);
    close(devnull);
    pfsTestSubprocessSpawn(fd, "/nonexistent/pfs-spawn-test", NULL);
}


static void
testClosedStdio(void **state)
{
    g_autofree char *out = pfsTestInSubprocess(pfsTestClosedStdioSpawn);

    /* the failure must still be reported, not read as a start */
    assert_string_equal(out, "-1|1|cannot execute '/nonexistent/pfs-spawn-test': No such file or directory");
}


static void
testRootCaps(void **state)
{
    pfsSpawnAttrs attrs = PFS_SPAWN_ATTRS_INIT;
    g_autofree char *out = NULL;
    g_autofree char *mask = NULL;
    const char *kept[] = { "CapBnd", "CapPrm", "CapEff" };
    const char *empty[] = { "CapInh", "CapAmb" };
    size_t i;

    PFS_TEST_REQUIRE_ROOT();

    /* staying root: the bounding set is what the program gets */
    attrs.setCaps = true;
    attrs.caps = (1ULL << CAP_CHOWN) | (1ULL << CAP_SETUID);
    out = pfsTestRunCatStatus(&attrs);
    mask = g_strdup_printf("%016llx", (unsigned long long)attrs.caps);
    for (i = 0; i < G_N_ELEMENTS(kept); i++) {
        g_autofree char *val = pfsTestStatusField(out, kept[i]);

        assert_string_equal(val, mask);
    }
    for (i = 0; i < G_N_ELEMENTS(empty); i++) {
        g_autofree char *val = pfsTestStatusField(out, empty[i]);

        assert_string_equal(val, "0000000000000000");
    }
}


static void
testRootSwitchUser(void **state)
{
    pfsSpawnAttrs attrs = PFS_SPAWN_ATTRS_INIT;
    const gid_t groups[] = { 12345, 100 };
    g_autofree char *out = NULL;
    g_autofree char *withGroups = NULL;
    g_autofree char *groupsField = NULL;
    const char *caps[] = { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" };
    struct {
        const char *name;
        const char *value;
    } fields[] = {
        { "Uid", "65534\t65534\t65534\t65534" },
        { "Gid", "65534\t65534\t65534\t65534" },
        { "Groups", "" },
        { "NoNewPrivs", "1" },
    };
    size_t i;

    PFS_TEST_REQUIRE_ROOT();

    attrs.setIds = true;
    attrs.uid = 65534;
    attrs.gid = 65534;
    attrs.setCaps = true;
    attrs.caps = 0;
    attrs.noNewPrivs = true;
    out = pfsTestRunCatStatus(&attrs);
    for (i = 0; i < G_N_ELEMENTS(fields); i++) {
        g_autofree char *val = pfsTestStatusField(out, fields[i].name);

        assert_string_equal(val, fields[i].value);
    }
    for (i = 0; i < G_N_ELEMENTS(caps); i++) {
        g_autofree char *val = pfsTestStatusField(out, caps[i]);

        assert_string_equal(val, "0000000000000000");
    }

    /* supplementary groups are exactly those given */
    attrs.groups = groups;
    attrs.ngroups = G_N_ELEMENTS(groups);
    withGroups = pfsTestRunCatStatus(&attrs);
    groupsField = pfsTestStatusField(withGroups, "Groups");
    assert_string_equal(groupsField, "100 12345");
}


static void
pfsTestDropCap(int cap)
{
    capng_get_caps_process();
    capng_update(CAPNG_DROP, CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_BOUNDING_SET, cap);
    if (capng_apply(CAPNG_SELECT_BOTH) < 0)
        _exit(4);
}


static void
pfsTestNoSetuidSpawn(int fd)
{
    pfsSpawnAttrs attrs = PFS_SPAWN_ATTRS_INIT;

    pfsTestDropCap(CAP_SETUID);
    attrs.setIds = true;
    attrs.uid = 65534;
    attrs.gid = 65534;
    pfsTestSubprocessSpawn(fd, "/bin/true", &attrs);
}


static void
pfsTestNoSetpcapSpawn(int fd)
{
    pfsSpawnAttrs attrs = PFS_SPAWN_ATTRS_INIT;

    pfsTestDropCap(CAP_SETPCAP);
    attrs.setCaps = true;
    attrs.caps = 1ULL << CAP_CHOWN;
    pfsTestSubprocessSpawn(fd, "/bin/true", &attrs);
}


static void
testRootChildErrors(void **state)
{
    g_autofree char *noSetuid = NULL;
    g_autofree char *noSetpcap = NULL;

    PFS_TEST_REQUIRE_ROOT();

    /* a failure between fork and exec: one message, the child reaped */
    noSetuid = pfsTestInSubprocess(pfsTestNoSetuidSpawn);
    assert_string_equal(noSetuid,
                        "-1|1|cannot switch to uid 65534 for '/bin/true': Operation not permitted");
    noSetpcap = pfsTestInSubprocess(pfsTestNoSetpcapSpawn);
    assert_string_equal(noSetpcap,
                        "-1|1|cannot limit the capabilities of '/bin/true' to 0x1: Operation not permitted");
}


static void
testUnknownCap(void **state)
{
    g_autoptr(pfsCmdline) cmd = pfsCmdlineNew("/bin/true");
    pfsSpawnAttrs attrs = PFS_SPAWN_ATTRS_INIT;
    pid_t pid;

    attrs.setCaps = true;
    attrs.caps = 1ULL << 63;
    assert_int_equal(pfsSpawn(cmd, &attrs, &pid), -1);
    assert_string_equal(pfsErrorLastMessage(),
                        "capability 63 for '/bin/true' is unknown to this kernel");
}


#define PFS_SPAWN_TEST(fn) \
    cmocka_unit_test_setup_teardown(fn, pfsTestSetup, pfsTestTeardown)

int
main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        PFS_SPAWN_TEST(testArgvAndEnv),
        PFS_SPAWN_TEST(testExactEnvironment),
        PFS_SPAWN_TEST(testPassedFds),
        PFS_SPAWN_TEST(testDefaultStdio),
        PFS_SPAWN_TEST(testSignalsReset),
        PFS_SPAWN_TEST(testNewSession),
        PFS_SPAWN_TEST(testExitStatus),
        PFS_SPAWN_TEST(testDescribeStatus),
        PFS_SPAWN_TEST(testMissingBinary),
        PFS_SPAWN_TEST(testBadFds),
        PFS_SPAWN_TEST(testPidFile),
        PFS_SPAWN_TEST(testPidFileFails),
        PFS_SPAWN_TEST(testWaitTimeout),
        PFS_SPAWN_TEST(testTerminateIgnoringChild),
        PFS_SPAWN_TEST(testClosedStdio),
        PFS_SPAWN_TEST(testUnknownCap),
        PFS_SPAWN_TEST(testRootCaps),
        PFS_SPAWN_TEST(testRootSwitchUser),
        PFS_SPAWN_TEST(testRootChildErrors),
    };

    g_autofree char *parentLink = g_strdup_printf("/proc/%lld/exe", (long long)getppid());
    g_autofree char *parentExe = NULL;

    if (argc >= 4 && strcmp(argv[1], "--child") == 0)
        return pfsTestChildMain(argc, argv);

    if (!(selfExe = g_file_read_link("/proc/self/exe", NULL))) {
        fprintf(stderr, "cannot read /proc/self/exe\n");
        return 1;
    }
    /* started by a case of ours that lost "--child" (a broken argv): the
     * whole suite again would start itself again, without end */
    parentExe = g_file_read_link(parentLink, NULL);
    if (g_strcmp0(parentExe, selfExe) == 0) {
        fprintf(stderr, "started by itself without --child; not running the suite\n");
        return 2;
    }
    return cmocka_run_group_tests_name("spawning programs", tests, NULL, NULL);
}
