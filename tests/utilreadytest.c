/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * utilreadytest.c: the start-up report of a process to its launcher
 */
#include "pfsinternal.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pfserror.h"
#include "pfsready.h"
#include "pfstestutils.h"


typedef struct {
    int r;      /* the launcher's end */
    int w;      /* the process's end */
} pfsTestPipe;


static int
pfsTestPipeNew(void **state)
{
    pfsTestPipe *p = g_new0(pfsTestPipe, 1);
    int fds[2];

    if (pipe2(fds, O_CLOEXEC) < 0)
        return -1;
    p->r = fds[0];
    p->w = fds[1];
    pfsErrorReset();
    *state = p;
    return 0;
}


static int
pfsTestPipeFree(void **state)
{
    pfsTestPipe *p = *state;

    if (p->r >= 0)
        close(p->r);
    if (p->w >= 0)
        close(p->w);
    g_free(p);
    return 0;
}


static void
testReady(void **state)
{
    pfsTestPipe *p = *state;
    g_autofree char *msg = NULL;

    pfsReadyNotify(&p->w, true, NULL);
    assert_int_equal(p->w, -1);
    assert_int_equal(pfsReadyWait(p->r, 1000, &msg), PFS_READY_OK);
    assert_string_equal(msg, "");
    /* nothing but the "0" went on the pipe */
    assert_int_equal(read(p->r, (char[8]){ 0 }, 8), 0);
}


static void
testFailedWithReason(void **state)
{
    pfsTestPipe *p = *state;
    g_autofree char *msg = NULL;

    pfsReadyNotify(&p->w, false, "cannot open export path '/srv/x'");
    assert_int_equal(pfsReadyWait(p->r, 1000, &msg), PFS_READY_FAILED);
    assert_string_equal(msg, "cannot open export path '/srv/x'");
    assert_null(pfsErrorLastMessage());
}


/* The process died before it said anything, or wrote something that is
 * not a report. */
static void
testNoReport(void **state)
{
    pfsTestPipe *p = *state;
    g_autofree char *msg = NULL;

    assert_int_equal(write(p->w, "ready", 5), 5);
    assert_int_equal(pfsReadyWait(p->r, 1000, &msg), PFS_READY_NO_REPORT);
    assert_null(msg);
    close(g_steal_fd(&p->w));
    assert_int_equal(pfsReadyWait(p->r, 1000, &msg), PFS_READY_NO_REPORT);
    assert_null(msg);
}


static void
testTimeout(void **state)
{
    pfsTestPipe *p = *state;
    g_autofree char *msg = NULL;
    gint64 start = g_get_monotonic_time();

    assert_int_equal(pfsReadyWait(p->r, 100, &msg), PFS_READY_TIMEOUT);
    assert_true(g_get_monotonic_time() - start >= 100 * 1000);
    assert_null(msg);
    assert_int_equal(pfsReadyWait(p->r, 0, NULL), PFS_READY_TIMEOUT);
    /* a report that is there already is taken even with no time left */
    pfsReadyNotify(&p->w, true, NULL);
    assert_int_equal(pfsReadyWait(p->r, 0, NULL), PFS_READY_OK);
}


/* A wrapper (strace) that holds a copy of the write end keeps EOF away:
 * the report alone must be enough. */
static void
testWriterEndHeldElsewhere(void **state)
{
    pfsTestPipe *p = *state;
    g_autofree char *msg = NULL;
    int copy = dup(p->w);
    gint64 start = g_get_monotonic_time();

    assert_true(copy >= 0);
    pfsReadyNotify(&p->w, true, "Domain 'guest' started\n");
    assert_int_equal(pfsReadyWait(p->r, 5000, &msg), PFS_READY_OK);
    assert_string_equal(msg, "Domain 'guest' started\n");
    assert_true(g_get_monotonic_time() - start < 2 * G_USEC_PER_SEC);
    close(copy);
}


/* A report longer than PIPE_BUF (QEMU's last words in an error) comes
 * whole, even with a copy of the write end held elsewhere. */
static void
testLongMessage(void **state)
{
    pfsTestPipe *p = *state;
    g_autoptr(GString) longMsg = g_string_new(NULL);
    g_autofree char *msg = NULL;
    int copy = dup(p->w);

    while (longMsg->len < 3 * PIPE_BUF)
        g_string_append(longMsg, "QEMU's line\n");
    pfsReadyNotify(&p->w, false, longMsg->str);
    assert_int_equal(pfsReadyWait(p->r, 5000, &msg), PFS_READY_FAILED);
    assert_string_equal(msg, longMsg->str);
    close(copy);
}


/* A launcher that is gone: the report is lost, the process goes on. */
static void
testLauncherGone(void **state)
{
    pfsTestPipe *p = *state;

    close(g_steal_fd(&p->r));
    pfsReadyNotify(&p->w, true, NULL);
    assert_int_equal(p->w, -1);
    pfsReadyNotify(&p->w, false, "twice");
    assert_int_equal(p->w, -1);
}


static void
testReadError(void **state G_GNUC_UNUSED)
{
    int dirfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    assert_true(dirfd >= 0);
    assert_int_equal(pfsReadyWait(dirfd, 1000, NULL), -1);
    pfsTestAssertLastError("cannot read the start-up report");
    close(dirfd);
}


/* The child reports what it became; the parent waits for it. */
static void
daemonizeAndCheck(bool nochdir)
{
    g_autofree char *cwd = g_get_current_dir();
    g_autofree char *want = g_strdup_printf("sid=1 stdin=/dev/null cwd=%s", nochdir ? cwd : "/");
    g_autofree char *msg = NULL;
    int fd = -1;
    int status;
    pid_t pid;

    pid = pfsReadyDaemonize(nochdir, &fd);
    assert_true(pid >= 0);
    if (pid == 0) {
        g_autofree char *now = g_get_current_dir();
        g_autofree char *report = NULL;
        char path[64] = "";
        ssize_t n = readlink("/proc/self/fd/0", path, sizeof(path) - 1);

        path[MAX(n, 0)] = '\0';
        report = g_strdup_printf("sid=%d stdin=%s cwd=%s",
                                 getsid(0) == getpid(), path, now);
        pfsReadyNotify(&fd, true, report);
        _exit(0);
    }
    assert_int_equal(pfsReadyWait(fd, 5000, &msg), PFS_READY_OK);
    close(fd);
    assert_string_equal(msg, want);
    assert_int_equal(waitpid(pid, &status, 0), pid);
}


static void
testDaemonize(void **state G_GNUC_UNUSED)
{
    daemonizeAndCheck(false);
    daemonizeAndCheck(true);
}


#define PFS_READY_TEST(fn) \
    cmocka_unit_test_setup_teardown(fn, pfsTestPipeNew, pfsTestPipeFree)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        PFS_READY_TEST(testReady),
        PFS_READY_TEST(testFailedWithReason),
        PFS_READY_TEST(testNoReport),
        PFS_READY_TEST(testTimeout),
        PFS_READY_TEST(testWriterEndHeldElsewhere),
        PFS_READY_TEST(testLongMessage),
        PFS_READY_TEST(testLauncherGone),
        cmocka_unit_test(testReadError),
        cmocka_unit_test(testDaemonize),
    };

    /* as the helper does: a launcher that went away must not kill us */
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests_name("start-up reports", tests, NULL, NULL);
}
