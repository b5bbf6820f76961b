/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfstestutils.c: shared helpers of the test suites
 */
#include "pfsinternal.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pfserror.h"
#include "pfsfile.h"
#include "pfstestutils.h"

const char *
pfsTestEnv(const char *name)
{
    const char *val = getenv(name);

    return val && *val ? val : NULL;
}


void
pfsTestAssertLastError(const char *part)
{
    const char *got = pfsErrorLastMessage();

    if (!got || !strstr(got, part)) {
        print_error("want an error with '%s', got '%s'\n", part, got ? got : "(none)");
        fail();
    }
}


bool
pfsTestInCI(void)
{
    const char *ci = pfsTestEnv("CI");

    return ci && g_ascii_strcasecmp(ci, "false") != 0 && strcmp(ci, "0") != 0;
}


const char *
pfsTestHelperBinary(void)
{
    const char *bin = pfsTestEnv("PFS_TEST_HELPER");

    if (!bin) {
        fprintf(stderr, "PFS_TEST_HELPER is not set; run the tests with 'meson test'\n");
        abort();
    }
    return bin;
}


char *
pfsTestMakeTempDir(const char *tag)
{
    const char *tmp = pfsTestEnv("TMPDIR");
    char *dir = g_strdup_printf("%s/pfstest-%s-XXXXXX", tmp ? tmp : "/tmp", tag);

    if (tmp)
        g_mkdir_with_parents(tmp, 0755);

    if (!mkdtemp(dir)) {
        fprintf(stderr, "mkdtemp %s: %s\n", dir, g_strerror(errno));
        abort();
    }
    /* Tests compare modes exactly: do not depend on the caller's umask. */
    chmod(dir, 0755);
    return dir;
}


void
pfsTestWarn(const char *fmt, ...)
{
    va_list ap;

    if (g_get_prgname())
        fprintf(stderr, "%s: ", g_get_prgname());
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}


/* nftw() passes no data to its callback */
static bool pfsTestRemoveLoudly;

static int
pfsTestRemoveOne(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    if (remove(path) < 0 && errno != ENOENT && pfsTestRemoveLoudly)
        pfsTestWarn("cannot remove '%s': %s", path, g_strerror(errno));
    return 0;
}


void
pfsTestRemoveTreeFull(const char *path, bool loudly)
{
    if (!path)
        return;
    pfsTestRemoveLoudly = loudly;
    nftw(path, pfsTestRemoveOne, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}


void
pfsTestRemoveTree(const char *path)
{
    pfsTestRemoveTreeFull(path, false);
}


void
pfsTestWriteFile(const char *dir, const char *name, const char *content)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    size_t len = strlen(content);
    int fd;

    /* in place (the inode stays), and nothing of an older content */
    if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0 ||
        pfsSafeWrite(fd, content, len) != (ssize_t)len ||
        close(fd) < 0) {
        fprintf(stderr, "write %s: %s\n", path, g_strerror(errno));
        abort();
    }
}


char *
pfsTestWriteFilePath(const char *dir, const char *name, const char *content)
{
    pfsTestWriteFile(dir, name, content);
    return g_build_filename(dir, name, NULL);
}


char *
pfsTestReadFile(const char *path)
{
    char *content = NULL;

    if (!g_file_get_contents(path, &content, NULL, NULL))
        return NULL;
    return content;
}


int
pfsTestCompareStrPtr(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}


int
pfsTestCountFds(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/fd", (int)pid);
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    int n = 0;

    assert_non_null(dir);
    while (g_dir_read_name(dir))
        n++;
    return n;
}


int
pfsTestPrivateMounts(void)
{
    if (geteuid() != 0)
        return 0;
    if (unshare(CLONE_NEWNS) < 0 ||
        mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
        fprintf(stderr, "cannot set up a private mount namespace: %s\n",
                g_strerror(errno));
        return -1;
    }
    return 0;
}
