/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxyfsconfinementtest.c: no request, however its path is spelled,
 * reaches a sentinel file outside the export
 */
#include "pfsinternal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "pfstestexport.h"
#include "pfstestutils.h"

#define H(state) (((pfsTestExport *)*(state))->helper)
#define EXP(state) ((pfsTestExport *)*(state))

/* Spellings of "the sentinel outside" that a guest or a compromised QEMU
 * might try; built per export because some embed the host path. */
static GPtrArray *
escapePaths(pfsTestExport *exp)
{
    GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *hostSentinel = g_build_filename(exp->outside, "sentinel", NULL);

    g_ptr_array_add(paths, g_strdup("/../outside/sentinel"));
    g_ptr_array_add(paths, g_strdup("//../../../../../../outside/sentinel"));
    g_ptr_array_add(paths, g_strdup("../outside/sentinel"));
    g_ptr_array_add(paths, g_strdup("//deep/a/b/../../../../outside/sentinel"));
    g_ptr_array_add(paths, g_strdup("//deep/a/b/../../../../../../../../../..") );
    g_ptr_array_add(paths, g_strdup(hostSentinel));
    g_ptr_array_add(paths, g_strdup("//abs"));
    g_ptr_array_add(paths, g_strdup("//rel"));
    g_ptr_array_add(paths, g_strdup("//deep/a/b/rel3"));
    g_ptr_array_add(paths, g_strdup("//dirabs/sentinel"));
    g_ptr_array_add(paths, g_strdup("//dirrel/sentinel"));
    g_ptr_array_add(paths, g_strdup("//dirdotdot/outside/sentinel"));
    g_ptr_array_add(paths, g_strdup_printf("//rootlink%s", hostSentinel));
    g_ptr_array_add(paths, g_strdup_printf("//magicroot%s", hostSentinel));
    g_ptr_array_add(paths, g_strdup_printf("//magiccwd/../outside/sentinel"));
    g_ptr_array_add(paths, g_strdup("//chain1"));
    g_ptr_array_add(paths, g_strdup("//dirabs/"));
    g_ptr_array_add(paths, g_strdup("//dirrel/.."));
    return paths;
}


static void
plant(pfsTestExport *exp, const char *target, const char *name)
{
    g_autofree char *link = pfsTestExportPath(exp, name);

    assert_int_equal(symlink(target, link), 0);
}


static int
setupExport(void **state)
{
    pfsTestExport *exp = pfsTestExportNew(NULL, NULL);
    g_autofree char *hostSentinel = g_build_filename(exp->outside, "sentinel", NULL);
    g_autofree char *deep = pfsTestExportPath(exp, "deep/a/b");

    g_mkdir_with_parents(deep, 0755);
    plant(exp, hostSentinel, "abs");
    plant(exp, "../outside/sentinel", "rel");
    plant(exp, "../../../../outside/sentinel", "deep/a/b/rel3");
    plant(exp, exp->outside, "dirabs");
    plant(exp, "../outside", "dirrel");
    plant(exp, "..", "dirdotdot");
    plant(exp, "/", "rootlink");
    plant(exp, "/proc/self/root", "magicroot");
    plant(exp, "/proc/self/cwd", "magiccwd");
    plant(exp, "chain2", "chain1");
    plant(exp, "chain3", "chain2");
    plant(exp, "/../../outside/sentinel", "chain3");
    *state = exp;
    return 0;
}


static void
checkOutsideUntouched(pfsTestExport *exp)
{
    g_autoptr(GDir) dir = g_dir_open(exp->outside, 0, NULL);
    const char *name;
    int n = 0;

    pfsTestExportCheckSentinel(exp);
    assert_non_null(dir);
    while ((name = g_dir_read_name(dir))) {
        if (strcmp(name, "sentinel") != 0) {
            print_error("'%s' appeared outside the export\n", name);
            fail();
        }
        n++;
    }
    assert_int_equal(n, 1);
}


static int
teardownExport(void **state)
{
    pfsTestExport *exp = *state;
    int status = pfsTestExportStopHelper(exp);

    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    checkOutsideUntouched(exp);
    pfsTestExportFree(exp);
    return 0;
}


/* The result of each request is checked where it could show a breach
 * (an fd or a stat of the sentinel); every request's side effects are
 * checked on the sentinel after each one. */
static void
testLookups(void **state)
{
    pfsTestExport *exp = EXP(state);
    g_autoptr(GPtrArray) paths = escapePaths(exp);
    ino_t ino = pfsTestExportSentinelIno(exp);
    size_t i;

    for (i = 0; i < paths->len; i++) {
        const char *p = g_ptr_array_index(paths, i);
        struct stat st;
        char buf[256];
        size_t len = sizeof(buf);
        uint64_t fields[11];
        uint64_t version;
        int fd = -1;
        int32_t r;

        r = pfsTestLstat(H(state), p, &st);
        assert_true(r != PFS_TEST_CONN_FAILED);
        if (r == 0 && st.st_ino == ino) {
            print_error("lstat '%s' reached the sentinel\n", p);
            fail();
        }

        r = pfsTestOpen(H(state), p, O_RDONLY, &fd);
        assert_true(r != PFS_TEST_CONN_FAILED);
        if (fd >= 0) {
            assert_int_equal(fstat(fd, &st), 0);
            if (st.st_ino == ino) {
                print_error("open '%s' passed the sentinel\n", p);
                fail();
            }
            /* never an O_PATH fd, never a privileged directory handle
             * for something that is not a directory */
            assert_false(fcntl(fd, F_GETFL) & O_PATH);
            close(fd);
            fd = -1;
        }

        r = pfsTestCreate(H(state), p, O_CREAT | O_RDWR, 0666, 0, 0, &fd);
        assert_true(r != PFS_TEST_CONN_FAILED);
        if (fd >= 0) {
            assert_int_equal(fstat(fd, &st), 0);
            assert_true(st.st_ino != ino);
            close(fd);
            fd = -1;
        }

        assert_true(pfsTestReadlink(H(state), p, 4096, buf, sizeof(buf)) != PFS_TEST_CONN_FAILED);
        assert_true(pfsTestStatfs(H(state), p, fields) != PFS_TEST_CONN_FAILED);
        assert_true(pfsTestGetversion(H(state), p, &version) != PFS_TEST_CONN_FAILED);
        assert_true(pfsTestGetxattr(H(state), 0, p, "user.x", NULL, NULL) != PFS_TEST_CONN_FAILED);
        assert_true(pfsTestGetxattr(H(state), 64, p, "user.x", buf, &len) != PFS_TEST_CONN_FAILED);
        len = sizeof(buf);
        assert_true(pfsTestListxattr(H(state), 64, p, buf, &len) != PFS_TEST_CONN_FAILED);
        checkOutsideUntouched(exp);
    }
}


static void
testMutations(void **state)
{
    pfsTestExport *exp = EXP(state);
    g_autoptr(GPtrArray) paths = escapePaths(exp);
    size_t i;

    pfsTestWriteFile(exp->root, "inside", "in");

    for (i = 0; i < paths->len; i++) {
        const char *p = g_ptr_array_index(paths, i);
        g_autofree char *child = g_strdup_printf("%s/new", p);
        const char *targets[] = { p, child };
        size_t j;

        assert_int_equal(pfsTestChmod(H(state), p, 0777) == PFS_TEST_CONN_FAILED, 0);
        assert_int_equal(pfsTestChown(H(state), p, 1234, 1234) == PFS_TEST_CONN_FAILED, 0);
        assert_int_equal(pfsTestTruncate(H(state), p, 0) == PFS_TEST_CONN_FAILED, 0);
        assert_int_equal(pfsTestUtime(H(state), p, 5, 0, 5, 0) == PFS_TEST_CONN_FAILED, 0);
        assert_int_equal(pfsTestSetxattr(H(state), p, "user.x", "v", 1, 1, 0) == PFS_TEST_CONN_FAILED, 0);
        assert_int_equal(pfsTestRemovexattr(H(state), p, "user.x") == PFS_TEST_CONN_FAILED, 0);
        checkOutsideUntouched(exp);

        /* linking or renaming the sentinel in, or something out */
        pfsTestLink(H(state), p, "//linked");
        pfsTestRemove(H(state), "//linked");
        pfsTestRename(H(state), p, "//renamed");
        pfsTestRemove(H(state), "//renamed");
        pfsTestLink(H(state), "//inside", p);
        pfsTestRename(H(state), "//inside", p);
        pfsTestWriteFile(exp->root, "inside", "in");
        checkOutsideUntouched(exp);

        for (j = 0; j < G_N_ELEMENTS(targets); j++) {
            const char *t = targets[j];
            int fd = -1;

            pfsTestMkdir(H(state), 0, 0, t, 0755);
            pfsTestMknod(H(state), 0, 0, t, S_IFIFO | 0666, 0);
            pfsTestSymlink(H(state), 0, 0, "/etc/passwd", t);
            if (pfsTestCreate(H(state), t, O_CREAT | O_EXCL | O_RDWR, 0644,
                              0, 0, &fd) == PFS_PROXY_FD_VALID)
                close(fd);
            pfsTestRemove(H(state), t);
            checkOutsideUntouched(exp);
        }
    }
    /* the helper is still serving */
    assert_int_equal(pfsTestLstat(H(state), "/", NULL), 0);
}


static void
testExportRootIsTheRoot(void **state)
{
    struct stat root, st;

    assert_int_equal(pfsTestLstat(H(state), "/", &root), 0);
    assert_int_equal(pfsTestLstat(H(state), "/..", &st), 0);
    assert_true(st.st_ino == root.st_ino);
    assert_int_equal(pfsTestLstat(H(state), "//../..", &st), 0);
    assert_true(st.st_ino == root.st_ino);
    assert_int_equal(pfsTestLstat(H(state), "..", &st), 0);
    assert_true(st.st_ino == root.st_ino);
    assert_int_equal(pfsTestLstat(H(state), "//rootlink/", &st), 0);
    assert_true(st.st_ino == root.st_ino);
    assert_int_equal(pfsTestLstat(H(state), "//dirdotdot/", &st), 0);
    assert_true(st.st_ino == root.st_ino);
    /* an absolute link into /proc lands in the export, not in /proc */
    assert_int_equal(pfsTestLstat(H(state), "//magicroot/", &st), -ENOENT);
    assert_int_equal(pfsTestOpen(H(state), "//magicroot", O_RDONLY | O_DIRECTORY, NULL), -ENOENT);
}




/* ---- a race: directories swapped for symlinks while requests run ---- */

typedef struct {
    char *dir;
    char *link;
    volatile bool stop;
    unsigned long swaps;
} raceSwapper;

static void *
raceSwapperRun(void *opaque)
{
    raceSwapper *sw = opaque;

    while (!sw->stop) {
        if (renameat2(AT_FDCWD, sw->dir, AT_FDCWD, sw->link, RENAME_EXCHANGE) == 0)
            sw->swaps++;
    }
    return NULL;
}


static void
testRenameRace(void **state)
{
    pfsTestExport *exp = EXP(state);
    g_autofree char *race = pfsTestExportPath(exp, "race");
    g_autofree char *inner = pfsTestExportPath(exp, "race/d");
    raceSwapper sw = { 0 };
    pthread_t thread;
    ino_t ino = pfsTestExportSentinelIno(exp);
    gint64 deadline;
    unsigned long requests = 0;

    assert_int_equal(mkdir(race, 0755), 0);
    assert_int_equal(mkdir(inner, 0755), 0);
    pfsTestWriteFile(inner, "sentinel", "INSIDE");
    sw.dir = g_strdup(inner);
    sw.link = pfsTestExportPath(exp, "race/s");
    /* an absolute link to the real outside directory */
    assert_int_equal(symlink(exp->outside, sw.link), 0);

    assert_int_equal(pthread_create(&thread, NULL, raceSwapperRun, &sw), 0);
    deadline = g_get_monotonic_time() + 2 * G_USEC_PER_SEC;
    while (g_get_monotonic_time() < deadline) {
        static const char *const names[] = { "//race/d/sentinel", "//race/s/sentinel" };
        const char *p = names[requests % 2];
        struct stat st;
        int fd = -1;

        if (pfsTestLstat(H(state), p, &st) == 0)
            assert_true(st.st_ino != ino);
        if (pfsTestOpen(H(state), p, O_RDWR, &fd) == PFS_PROXY_FD_VALID) {
            char buf[16] = "";
            assert_int_equal(fstat(fd, &st), 0);
            assert_true(st.st_ino != ino);
            assert_true(pread(fd, buf, sizeof(buf) - 1, 0) >= 0);
            assert_string_equal(buf, "INSIDE");
            close(fd);
        }
        pfsTestChmod(H(state), p, 0644);
        pfsTestChown(H(state), p, 4321, 4321);
        pfsTestTruncate(H(state), p, 6);
        pfsTestUtime(H(state), p, 7, 0, 7, 0);
        pfsTestSetxattr(H(state), p, "user.race", "v", 1, 1, 0);
        if (pfsTestCreate(H(state), "//race/d/new", O_CREAT | O_RDWR, 0644, 0, 0, &fd) ==
            PFS_PROXY_FD_VALID)
            close(fd);
        pfsTestMkdir(H(state), 0, 0, "//race/d/newdir", 0755);
        pfsTestRemove(H(state), "//race/d/newdir");
        pfsTestRemove(H(state), "//race/d/new");
        requests += 11;
    }
    sw.stop = true;
    pthread_join(thread, NULL);
    print_message("[   INFO   ] %lu requests against %lu swaps\n", requests, sw.swaps);
    assert_true(sw.swaps > 100);
    checkOutsideUntouched(exp);
    g_free(sw.dir);
    g_free(sw.link);
}


#define T(fn) cmocka_unit_test_setup_teardown(fn, setupExport, teardownExport)

int
main(void)
{
    /* Mounts made by tests stay in a namespace of our own. */
    if (pfsTestPrivateMounts() < 0)
        return 1;

    const struct CMUnitTest tests[] = {
        T(testExportRootIsTheRoot),
        T(testLookups),
        T(testMutations),
        T(testRenameRace),
    };

    return cmocka_run_group_tests_name("proxyfs confinement", tests, NULL, NULL);
}
