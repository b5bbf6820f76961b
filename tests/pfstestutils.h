/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfstestutils.h: shared helpers of the test suites
 */
#pragma once

#include "pfsinternal.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

/* Skip the current cmocka test with a reason when not running as root.
 * CI runs as root, so these tests always run there. */
#define PFS_TEST_REQUIRE_ROOT() \
    do { \
        if (geteuid() != 0) { \
            print_message("[   SKIP   ] needs root (CI runs it as root)\n"); \
            skip(); \
        } \
    } while (0)

/* A path from the environment set by tests/meson.build, or NULL. */
const char *pfsTestEnv(const char *name);

/* Our helper binary (PFS_TEST_HELPER). */
const char *pfsTestHelperBinary(void);

/* A new empty directory under $TMPDIR; free with pfsTestRemoveTree(). */
char *pfsTestMakeTempDir(const char *tag);

/* rm -rf, without following symlinks. */
void pfsTestRemoveTree(const char *path);

/* Write @content into @dir/@name (created 0644). */
void pfsTestWriteFile(const char *dir, const char *name, const char *content);

/* The content of a file, or NULL. */
char *pfsTestReadFile(const char *path);
