/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * utilpidfiletest.c: pid files
 */
#include "pfsinternal.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pfserror.h"
#include "pfspidfile.h"
#include "pfstestutils.h"


static int
pfsTestDirNew(void **state)
{
    *state = pfsTestMakeTempDir("pidfile");
    pfsErrorReset();
    return 0;
}


static int
pfsTestDirFree(void **state)
{
    pfsTestRemoveTree(*state);
    g_free(*state);
    return 0;
}


static void
testWriteRead(void **state)
{
    const char *dir = *state;
    g_autofree char *path = g_build_filename(dir, "qemu.pid", NULL);
    g_autofree char *content = NULL;
    struct stat st;
    mode_t old = umask(077);
    pid_t pid = 0;

    assert_int_equal(pfsPidFileWrite(path, 12345), 0);
    umask(old);
    content = pfsTestReadFile(path);
    assert_string_equal(content, "12345\n");
    /* readable by other users' tools whatever the umask */
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0644);
    assert_int_equal(pfsPidFileRead(path, &pid), 1);
    assert_int_equal(pid, 12345);

    /* replaced whole, and no temporary file left beside it */
    assert_int_equal(pfsPidFileWrite(path, 678), 0);
    assert_int_equal(pfsPidFileRead(path, &pid), 1);
    assert_int_equal(pid, 678);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(dir), 0);
}


static void
testMissing(void **state)
{
    g_autofree char *path = g_build_filename(*state, "none.pid", NULL);
    pid_t pid = 7;

    assert_int_equal(pfsPidFileRead(path, &pid), 0);
    assert_int_equal(pid, 0);
    assert_int_equal(pfsPidFileReadIfAlive(path, NULL, &pid), 0);
    assert_null(pfsErrorLastMessage());
}


static void
testNoPid(void **state)
{
    const char *bad[] = { "", "\n", "abc\n", "0\n", "-5\n", "12 34\n", "99999999999\n", "0x10\n" };
    g_autofree char *path = g_build_filename(*state, "bad.pid", NULL);
    size_t i;
    pid_t pid;

    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        /* pfsTestWriteFile() does not truncate */
        unlink(path);
        pfsTestWriteFile(*state, "bad.pid", bad[i]);
        pid = 7;
        assert_int_equal(pfsPidFileRead(path, &pid), -1);
        assert_int_equal(pid, 0);
        pfsTestAssertLastError("holds no pid");
    }
    /* spaces around it are fine, as from 'echo PID > FILE' */
    unlink(path);
    pfsTestWriteFile(*state, "bad.pid", " 42 \n");
    assert_int_equal(pfsPidFileRead(path, &pid), 1);
    assert_int_equal(pid, 42);
}


/* A symlink in its place is neither followed when read nor written
 * through. */
static void
testSymlinkRefused(void **state)
{
    const char *dir = *state;
    g_autofree char *target = g_build_filename(dir, "target", NULL);
    g_autofree char *link = g_build_filename(dir, "link.pid", NULL);
    g_autofree char *content = NULL;
    struct stat st;
    pid_t pid;

    pfsTestWriteFile(dir, "target", "1\n");
    assert_int_equal(symlink(target, link), 0);
    assert_int_equal(pfsPidFileRead(link, &pid), -1);
    pfsTestAssertLastError("cannot open pid file");
    assert_int_equal(pfsPidFileReadIfAlive(link, NULL, &pid), -1);

    assert_int_equal(pfsPidFileWrite(link, 99), 0);
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    content = pfsTestReadFile(target);
    assert_string_equal(content, "1\n");
}


static void
testNotRegular(void **state)
{
    const char *dir = *state;
    g_autofree char *fifo = g_build_filename(dir, "fifo.pid", NULL);
    g_autofree char *sub = g_build_filename(dir, "dir.pid", NULL);
    pid_t pid;

    /* a FIFO would block an open for reading */
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(pfsPidFileRead(fifo, &pid), -1);
    pfsTestAssertLastError("is not a regular file");
    assert_int_equal(mkdir(sub, 0700), 0);
    assert_int_equal(pfsPidFileRead(sub, &pid), -1);
    pfsTestAssertLastError("is not a regular file");
}


/* A pid file outlives its process: read back it is only a claim. */
static void
testStale(void **state)
{
    g_autofree char *path = g_build_filename(*state, "stale.pid", NULL);
    pid_t child;
    pid_t pid;
    int status;

    if ((child = fork()) == 0)
        _exit(0);
    assert_true(child > 0);
    assert_int_equal(pfsPidFileWrite(path, child), 0);

    /* a zombie still is a process, but runs no program */
    assert_int_equal(waitid(P_PID, child, NULL, WEXITED | WNOWAIT), 0);
    assert_int_equal(pfsPidFileReadIfAlive(path, NULL, &pid), 1);
    assert_int_equal(pfsPidFileReadIfAlive(path, "/proc/self/exe", &pid), 0);
    assert_int_equal(pid, 0);

    assert_int_equal(waitpid(child, &status, 0), child);
    assert_int_equal(pfsPidFileRead(path, &pid), 1);
    assert_int_equal(pid, child);
    assert_int_equal(pfsPidFileReadIfAlive(path, NULL, &pid), 0);
    assert_int_equal(pfsPidFileReadIfAlive(path, "/proc/self/exe", &pid), 0);
    assert_null(pfsErrorLastMessage());
}


static void
testAlive(void **state)
{
    g_autofree char *path = g_build_filename(*state, "self.pid", NULL);
    pid_t pid;

    assert_int_equal(pfsPidFileWrite(path, getpid()), 0);
    assert_int_equal(pfsPidFileReadIfAlive(path, NULL, &pid), 1);
    assert_int_equal(pid, getpid());
    assert_int_equal(pfsPidFileReadIfAlive(path, "/proc/self/exe", &pid), 1);
    assert_int_equal(pid, getpid());
    /* a recycled pid: another program */
    assert_int_equal(pfsPidFileReadIfAlive(path, "/bin/sh", &pid), 0);
    assert_int_equal(pid, 0);
}


static void
testDelete(void **state)
{
    g_autofree char *path = g_build_filename(*state, "gone.pid", NULL);
    pid_t pid;

    assert_int_equal(pfsPidFileWrite(path, 1), 0);
    pfsPidFileDelete(path);
    assert_int_equal(pfsPidFileRead(path, &pid), 0);
    /* again: nothing there is fine */
    pfsPidFileDelete(path);
}


int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(testWriteRead, pfsTestDirNew, pfsTestDirFree),
        cmocka_unit_test_setup_teardown(testMissing, pfsTestDirNew, pfsTestDirFree),
        cmocka_unit_test_setup_teardown(testNoPid, pfsTestDirNew, pfsTestDirFree),
        cmocka_unit_test_setup_teardown(testSymlinkRefused, pfsTestDirNew, pfsTestDirFree),
        cmocka_unit_test_setup_teardown(testNotRegular, pfsTestDirNew, pfsTestDirFree),
        cmocka_unit_test_setup_teardown(testStale, pfsTestDirNew, pfsTestDirFree),
        cmocka_unit_test_setup_teardown(testAlive, pfsTestDirNew, pfsTestDirFree),
        cmocka_unit_test_setup_teardown(testDelete, pfsTestDirNew, pfsTestDirFree),
    };

    return cmocka_run_group_tests_name("pid files", tests, NULL, NULL);
}
