/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfstestexport.c: a fresh export with a running helper, per test
 */
#include "pfsinternal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "pfstestexport.h"
#include "pfstestutils.h"

#define PFS_SENTINEL_CONTENT "SECRET"

pfsTestExport *
pfsTestExportNew(const char *binary, const char *const *extra)
{
    pfsTestExport *exp = pfsTestExportCreate();

    pfsTestExportStartHelper(exp, binary, extra);
    return exp;
}


void
pfsTestExportStartHelper(pfsTestExport *exp, const char *binary,
                         const char *const *extra)
{
    exp->helper = pfsTestHelperStart(binary ? binary : pfsTestHelperBinary(),
                                     exp->root, extra);
    if (!exp->helper)
        abort();
}


pfsTestExport *
pfsTestExportCreate(void)
{
    pfsTestExport *exp = g_new0(pfsTestExport, 1);
    g_autofree char *sentinel = NULL;
    struct timespec times[2] = { { 1000000, 0 }, { 1000000, 0 } };

    exp->top = pfsTestMakeTempDir("export");
    exp->root = g_build_filename(exp->top, "export", NULL);
    exp->outside = g_build_filename(exp->top, "outside", NULL);
    if (mkdir(exp->root, 0755) < 0 || mkdir(exp->outside, 0755) < 0) {
        fprintf(stderr, "mkdir: %s\n", g_strerror(errno));
        abort();
    }
    pfsTestWriteFile(exp->outside, "sentinel", PFS_SENTINEL_CONTENT);
    sentinel = g_build_filename(exp->outside, "sentinel", NULL);
    chmod(sentinel, 0600);
    utimensat(AT_FDCWD, sentinel, times, 0);
    return exp;
}


int
pfsTestExportStopHelper(pfsTestExport *exp)
{
    int status = -1;

    if (exp->helper) {
        status = pfsTestHelperFinish(exp->helper);
        pfsTestHelperFree(exp->helper);
        exp->helper = NULL;
    }
    return status;
}


void
pfsTestExportFree(pfsTestExport *exp)
{
    if (!exp)
        return;
    pfsTestExportStopHelper(exp);
    pfsTestRemoveTree(exp->top);
    g_free(exp->top);
    g_free(exp->root);
    g_free(exp->outside);
    g_free(exp);
}


char *
pfsTestExportPath(pfsTestExport *exp, const char *rel)
{
    return g_build_filename(exp->root, rel, NULL);
}


void
pfsTestExportCheckSentinel(pfsTestExport *exp)
{
    g_autofree char *path = g_build_filename(exp->outside, "sentinel", NULL);
    char content[64] = "";
    struct stat st;
    ssize_t nattrs;
    int fd;

    /* Stat first: with relatime, any read of the sentinel (atime equal
     * to mtime) moves its atime, so a helper that read it is caught. */
    assert_int_equal(lstat(path, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(st.st_uid, geteuid());
    assert_int_equal(st.st_nlink, 1);
    assert_int_equal(st.st_mtim.tv_sec, 1000000);
    assert_int_equal(st.st_atim.tv_sec, 1000000);
    nattrs = llistxattr(path, NULL, 0);
    assert_true(nattrs <= 0);

    /* O_NOATIME: our own check must not move the atime it watches. */
    fd = open(path, O_RDONLY | O_NOATIME | O_CLOEXEC);
    assert_true(fd >= 0);
    assert_true(read(fd, content, sizeof(content) - 1) >= 0);
    close(fd);
    if (strcmp(content, PFS_SENTINEL_CONTENT) != 0) {
        fprintf(stderr, "the outside sentinel was changed: '%s'\n", content);
        fail();
    }
}


ino_t
pfsTestExportSentinelIno(pfsTestExport *exp)
{
    g_autofree char *p = g_build_filename(exp->outside, "sentinel", NULL);
    struct stat st;

    assert_int_equal(lstat(p, &st), 0);
    return st.st_ino;
}
