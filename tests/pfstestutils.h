/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfstestutils.h: shared helpers of the test suites
 */
#pragma once

#include "pfsinternal.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>
#include <cmocka.h>

/* Skip the current cmocka test, with the reason, when something it needs
 * is missing. Under CI (CI=true) everything must be there: a missing
 * requirement fails the test instead, so CI can never pass by skipping. */
#define PFS_TEST_SKIP_UNLESS(cond, reason) \
    do { \
        if (!(cond)) { \
            if (pfsTestInCI()) { \
                print_error("required under CI: %s\n", reason); \
                fail(); \
            } \
            print_message("[   SKIP   ] %s\n", reason); \
            skip(); \
        } \
    } while (0)

#define PFS_TEST_REQUIRE_ROOT() \
    PFS_TEST_SKIP_UNLESS(geteuid() == 0, "needs root (CI runs it as root)")

bool pfsTestInCI(void);

/* A path from the environment set by tests/meson.build, or NULL. */
const char *pfsTestEnv(const char *name);

/* Our helper binary (PFS_TEST_HELPER). */
const char *pfsTestHelperBinary(void);

/* Fail unless the last error reported (pfsErrorLastMessage()) contains
 * @part. */
void pfsTestAssertLastError(const char *part);

/* A new empty directory under $TMPDIR; free with pfsTestRemoveTree(). */
char *pfsTestMakeTempDir(const char *tag);

/* rm -rf, without following symlinks or leaving the filesystem. */
void pfsTestRemoveTree(const char *path);
/* The same; @loudly says on stderr what it cannot remove. */
void pfsTestRemoveTreeFull(const char *path, bool loudly);

/* A message on stderr, after "PROGRAM: " in a program that has set its
 * name (g_set_prgname(): the benchmark, not the test suites). */
void pfsTestWarn(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* Write @content into @dir/@name (created 0644). */
void pfsTestWriteFile(const char *dir, const char *name, const char *content);

/* The same, returning the file's path (free it). */
char *pfsTestWriteFilePath(const char *dir, const char *name, const char *content);

/* g_ptr_array_sort() comparator for arrays of strings. */
int pfsTestCompareStrPtr(gconstpointer a, gconstpointer b);

/* The content of a file, or NULL. */
char *pfsTestReadFile(const char *path);

/* How many fds process @pid has open (asserts it can tell). */
int pfsTestCountFds(pid_t pid);

/* As root: move this test process into a mount namespace of its own,
 * private, so that the mounts its tests make vanish with it. Returns 0,
 * or -1 after printing why. Does nothing for other users. */
int pfsTestPrivateMounts(void);
