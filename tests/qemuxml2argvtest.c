/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemuxml2argvtest.c: domain XML in, QEMU 7.2 command line out
 *
 * For each case qemuxml2argvdata/NAME.xml is parsed, prepared and built
 * into a command line, which must equal NAME.x86_64-7.2.0.args; a case
 * expected to fail must fail with the message in NAME.x86_64-7.2.0.err.
 * The environment, descriptor numbers and paths are fixed fakes:
 * monitor fd 1729, proxy helper sockets 1750 + the filesystem's index,
 * HOME=/tmp/lib/domain--1-NAME.
 */
#include "pfsinternal.h"

#include <stdio.h>
#include <string.h>

#include "pfserror.h"
#include "pfsrandom.h"
#include "domain_conf.h"
#include "qemu_command.h"
#include "qemu_domain.h"

#include "domaintestutils.h"
#include "pfstestutils.h"

#define QEMU_TEST_SUFFIX ".x86_64-7.2.0"
#define QEMU_TEST_MONITOR_FD 1729
#define QEMU_TEST_PROXY_FD_BASE 1750

typedef struct {
    const char *name;
    bool fail;
} qemuTestCase;


/* Parse, prepare and build; the command line or NULL with an error. */
static char *
testBuildCommandLine(const char *xml)
{
    g_autoptr(pfsDomainDef) def = NULL;
    g_autoptr(pfsCmdline) cmd = NULL;
    g_autofree char *libDir = NULL;
    g_autofree char *str = NULL;
    size_t i;

    if (!(def = pfsDomainDefParseString(xml)) ||
        qemuDomainPrepare(def) < 0)
        return NULL;

    libDir = g_strdup_printf("/tmp/lib/domain--1-%s", def->name);
    if (!(cmd = qemuBuildPretendCommandLine(def, libDir, QEMU_TEST_MONITOR_FD,
                                            QEMU_TEST_PROXY_FD_BASE)))
        return NULL;

    /* every descriptor named on the command line is passed on */
    for (i = 0; i < def->nfss; i++) {
        size_t nfds;
        const int *passed = pfsCmdlineGetPassedFDs(cmd, &nfds);
        size_t j;

        if (def->fss[i]->fsdriver != PFS_DOMAIN_FS_DRIVER_TYPE_PROXY)
            continue;
        for (j = 0; j < nfds && passed[j] != QEMU_TEST_PROXY_FD_BASE + (int)i; j++)
            ;
        assert_true(j < nfds);
    }

    str = pfsCmdlineToString(cmd, true);
    return g_strdup_printf("%s\n", str);
}


static void
testCompareXMLToArgv(void **state)
{
    const qemuTestCase *tc = *state;
    g_autofree char *xmlName = g_strdup_printf("%s.xml", tc->name);
    g_autofree char *xmlPath = pfsTestDataPath("qemuxml2argvdata", xmlName);
    g_autofree char *outName = g_strdup_printf("%s" QEMU_TEST_SUFFIX "%s", tc->name,
                                               tc->fail ? ".err" : ".args");
    g_autofree char *outPath = pfsTestDataPath("qemuxml2argvdata", outName);
    g_autofree char *xml = pfsTestReadFile(xmlPath);
    g_autofree char *actual = NULL;

    if (!xml)
        fail_msg("cannot read %s", xmlPath);

    pfsRandomSetSeed(42);
    pfsErrorReset();
    actual = testBuildCommandLine(xml);

    if (tc->fail) {
        g_autofree char *msg = NULL;

        if (actual)
            fail_msg("%s: expected a failure, got:\n%s", tc->name, actual);
        assert_non_null(pfsErrorLastMessage());
        msg = g_strdup_printf("%s\n", pfsErrorLastMessage());
        assert_int_equal(pfsTestCompareToFile(msg, outPath), 0);
    } else {
        if (!actual)
            fail_msg("%s: %s", tc->name, PFS_NULLSTR(pfsErrorLastMessage()));
        assert_int_equal(pfsTestCompareToFile(actual, outPath), 0);
    }
}


#define DO_TEST(n) { .name = n, .fail = false },
#define DO_TEST_FAILURE(n) { .name = n, .fail = true },
static const qemuTestCase cases[] = {
#include "qemuxml2argvcases.h"
};
#undef DO_TEST
#undef DO_TEST_FAILURE


/* Every input file must belong to a case, so none is silently skipped. */
static void
testAllInputsListed(void **state)
{
    g_autofree char *dirPath = pfsTestDataPath("qemuxml2argvdata", "");
    g_autoptr(GDir) dir = g_dir_open(dirPath, 0, NULL);
    const char *ent;
    size_t i;

    assert_non_null(dir);
    while ((ent = g_dir_read_name(dir))) {
        g_autofree char *base = NULL;
        bool found = false;

        if (!g_str_has_suffix(ent, ".xml"))
            continue;
        base = g_strndup(ent, strlen(ent) - 4);
        for (i = 0; i < G_N_ELEMENTS(cases); i++)
            found |= strcmp(cases[i].name, base) == 0;
        if (!found)
            fail_msg("%s is not listed in qemuxml2argvcases.h", ent);
    }
}


int
main(void)
{
    g_autofree struct CMUnitTest *tests = g_new0(struct CMUnitTest,
                                                 G_N_ELEMENTS(cases) + 1);
    size_t i;

    pfsTestSetFixedEnvironment();

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        tests[i].name = cases[i].name;
        tests[i].test_func = testCompareXMLToArgv;
        tests[i].initial_state = (void *)&cases[i];
    }
    tests[i].name = "all inputs listed";
    tests[i].test_func = testAllInputsListed;

    return _cmocka_run_group_tests("qemuxml2argvtest", tests,
                                   G_N_ELEMENTS(cases) + 1, NULL, NULL);
}
