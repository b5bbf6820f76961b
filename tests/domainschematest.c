/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domainschematest.c: the test inputs against docs/schemas
 *
 * Every XML file of qemuxml2argvdata and domainxml2xmloutdata must
 * validate against the built domain-proxyfs.rng (libvirt's installed
 * domain.rng plus the proxy driver), except the ones listed in
 * schemaInvalid, which must fail. libvirt's own schema must refuse
 * the proxy driver, or the extension would not be needed.
 */
#include "pfsinternal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pfserror.h"
#include "pfsxml.h"

#include "domaintestutils.h"
#include "pfstestutils.h"

/* inputs that are wrong already for the grammar, with the reason */
static const char *const schemaInvalid[] = {
    "fs-driver-bogus",            /* unknown driver type */
    "fs-driver-default-explicit", /* 'default' is not a value */
    "fs-proxy-alias-malformed",   /* space in an alias name */
    "fs-proxy-format",            /* no format on the proxy driver */
    "fs-proxy-no-source",         /* mount needs source dir or socket */
    "fs-proxy-no-target",         /* target is mandatory */
    "fs-proxy-queue",             /* queue is virtiofs only */
    "fs-proxy-source-relative",   /* source dir is an absolute path */
    "fs9p-fmode-invalid",         /* more than 4 octal digits */
    "fs9p-format-unknown",        /* not a storage format */
    "unsupported-attribute",      /* no such attribute */
};

static char *schemaPath;


static char *
testSchemaPath(void)
{
    const char *builddir = getenv("PFS_TEST_BUILDDIR");

    return g_build_filename(builddir ? builddir : ".", "..", "docs", "schemas",
                            "domain-proxyfs.rng", NULL);
}


static bool
testIsSchemaInvalid(const char *file)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(schemaInvalid); i++) {
        g_autofree char *name = g_strdup_printf("%s.xml", schemaInvalid[i]);

        if (strcmp(name, file) == 0)
            return true;
    }
    return false;
}


static int
testValidateFile(const char *path, const char *schema)
{
    g_autoptr(xmlDoc) doc = pfsXMLParse(path, NULL, NULL, NULL);

    if (!doc)
        return -1;
    return pfsXMLValidateRNG(schema, doc);
}


static void
testValidateDir(const char *subdir)
{
    g_autofree char *dirPath = pfsTestDataPath(subdir, "");
    g_autoptr(GDir) dir = g_dir_open(dirPath, 0, NULL);
    const char *ent;
    unsigned int nvalid = 0;
    unsigned int ninvalid = 0;

    assert_non_null(dir);
    while ((ent = g_dir_read_name(dir))) {
        g_autofree char *path = NULL;
        bool invalid;
        int rc;

        if (!g_str_has_suffix(ent, ".xml"))
            continue;
        path = g_build_filename(dirPath, ent, NULL);
        invalid = testIsSchemaInvalid(ent);
        pfsErrorReset();
        rc = testValidateFile(path, schemaPath);
        if (invalid && rc == 0)
            fail_msg("%s/%s validates but must not", subdir, ent);
        if (!invalid && rc < 0)
            fail_msg("%s/%s: %s", subdir, ent, PFS_NULLSTR(pfsErrorLastMessage()));
        if (invalid)
            ninvalid++;
        else
            nvalid++;
    }
    print_message("%s: %u valid, %u invalid as expected\n", subdir, nvalid, ninvalid);
    assert_true(nvalid > 0);
}


static void
testInputs(void **state)
{
    testValidateDir("qemuxml2argvdata");
}


static void
testFormattedOutputs(void **state)
{
    testValidateDir("domainxml2xmloutdata");
}


/* Our schema includes libvirt's: take its path from the include. */
static void
testStockSchemaRefusesProxy(void **state)
{
    g_autofree char *rng = pfsTestReadFile(schemaPath);
    g_autofree char *stock = NULL;
    g_autofree char *input = pfsTestDataPath("qemuxml2argvdata", "fs-proxy.xml");
    g_autofree char *plain = pfsTestDataPath("qemuxml2argvdata", "fs9p.xml");
    const char *href;
    const char *end;

    assert_non_null(rng);
    assert_non_null(href = strstr(rng, "<include href=\""));
    href += strlen("<include href=\"");
    assert_non_null(end = strchr(href, '"'));
    stock = g_strndup(href, end - href);

    assert_int_equal(testValidateFile(plain, stock), 0);
    pfsErrorReset();
    assert_int_equal(testValidateFile(input, stock), -1);
    assert_non_null(strstr(pfsErrorLastMessage(), "failed to validate"));
}


static void
testListedFilesExist(void **state)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(schemaInvalid); i++) {
        g_autofree char *name = g_strdup_printf("%s.xml", schemaInvalid[i]);
        g_autofree char *path = pfsTestDataPath("qemuxml2argvdata", name);

        if (!g_file_test(path, G_FILE_TEST_EXISTS))
            fail_msg("%s is listed but does not exist", name);
    }
}


int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(testListedFilesExist),
        cmocka_unit_test(testInputs),
        cmocka_unit_test(testFormattedOutputs),
        cmocka_unit_test(testStockSchemaRefusesProxy),
    };
    int ret;

    schemaPath = testSchemaPath();
    ret = cmocka_run_group_tests_name("domainschematest", tests, NULL, NULL);
    g_free(schemaPath);
    xmlCleanupParser();
    return ret;
}
