/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domaintestutils.c: golden files for the domain XML and QEMU suites
 */
#include "pfsinternal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domaintestutils.h"
#include "pfstestutils.h"

char *
pfsTestDataPath(const char *subdir, const char *name)
{
    const char *srcdir = getenv("PFS_TEST_SRCDIR");

    return g_build_filename(srcdir ? srcdir : ".", subdir, name, NULL);
}


static bool
pfsTestEnvIsSet(const char *name)
{
    const char *val = getenv(name);

    return val && *val && strcmp(val, "0") != 0;
}


bool
pfsTestRegenerate(void)
{
    return pfsTestEnvIsSet("VIR_TEST_REGENERATE_OUTPUT") ||
           pfsTestEnvIsSet("PFS_TEST_REGENERATE_OUTPUT");
}


/* Print where the two texts first differ, then both, for the log. */
static void
pfsTestPrintDifference(const char *expected, const char *actual, const char *path)
{
    size_t line = 1;
    size_t i;

    for (i = 0; expected[i] && expected[i] == actual[i]; i++) {
        if (expected[i] == '\n')
            line++;
    }
    fprintf(stderr, "%s: output differs from line %zu on\n", path, line);
    fprintf(stderr, "--- expected ---\n%s--- actual ---\n%s--- end ---\n",
            expected, actual);
}


int
pfsTestCompareToFile(const char *actual, const char *path)
{
    g_autofree char *expected = pfsTestReadFile(path);

    if (pfsTestRegenerate()) {
        if (!expected || strcmp(expected, actual) != 0) {
            g_autoptr(GError) err = NULL;

            if (!g_file_set_contents(path, actual, -1, &err)) {
                fprintf(stderr, "cannot write %s: %s\n", path, err->message);
                return -1;
            }
            fprintf(stderr, "regenerated %s\n", path);
        }
        return 0;
    }

    if (!expected) {
        fprintf(stderr, "missing expected output %s "
                "(run with VIR_TEST_REGENERATE_OUTPUT=1)\n--- actual ---\n%s",
                path, actual);
        return -1;
    }
    if (strcmp(expected, actual) != 0) {
        pfsTestPrintDifference(expected, actual, path);
        return -1;
    }
    return 0;
}


void
pfsTestSetFixedEnvironment(void)
{
    /* what the goldens show; everything else a caller could leak into
     * QEMU's environment is removed */
    g_setenv("PATH", "/bin", TRUE);
    g_setenv("USER", "test", TRUE);
    g_setenv("LOGNAME", "test", TRUE);
    g_setenv("LC_ALL", "C", TRUE);
    g_unsetenv("LD_PRELOAD");
    g_unsetenv("LD_LIBRARY_PATH");
    g_unsetenv("TMPDIR");
}
