/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domainxml2xmltest.c: parsing and formatting give back equivalent XML
 *
 * Each passing case of qemuxml2argvdata is parsed and formatted; the
 * result must equal domainxml2xmloutdata/NAME.xml (libvirt's defaults
 * made explicit) and must itself parse and format to the same text.
 */
#include "pfsinternal.h"

#include <stdio.h>
#include <string.h>

#include "pfserror.h"
#include "pfsrandom.h"
#include "domain_conf.h"

#include "domaintestutils.h"
#include "pfstestutils.h"

static void
testCompareXMLToXML(void **state)
{
    const char *name = *state;
    g_autofree char *xmlName = g_strdup_printf("%s.xml", name);
    g_autofree char *inPath = pfsTestDataPath("qemuxml2argvdata", xmlName);
    g_autofree char *outPath = pfsTestDataPath("domainxml2xmloutdata", xmlName);
    g_autofree char *xml = pfsTestReadFile(inPath);
    g_autoptr(pfsDomainDef) def = NULL;
    g_autoptr(pfsDomainDef) again = NULL;
    g_autofree char *formatted = NULL;
    g_autofree char *reformatted = NULL;

    assert_non_null(xml);
    pfsRandomSetSeed(42);
    pfsErrorReset();
    if (!(def = pfsDomainDefParseString(xml)))
        fail_msg("%s: %s", name, PFS_NULLSTR(pfsErrorLastMessage()));
    formatted = pfsDomainDefFormat(def);
    assert_int_equal(pfsTestCompareToFile(formatted, outPath), 0);

    /* the output is a fixed point: nothing is added or lost twice */
    if (!(again = pfsDomainDefParseString(formatted)))
        fail_msg("%s (formatted): %s", name, PFS_NULLSTR(pfsErrorLastMessage()));
    reformatted = pfsDomainDefFormat(again);
    assert_string_equal(formatted, reformatted);
}


/* A definition without <uuid> or <mac> gets random ones, which the
 * formatted XML keeps. */
static void
testGeneratedIdentifiers(void **state)
{
    const char *xml =
        "<domain type='qemu'><name>g</name><memory>1024</memory>"
        "<os><type>hvm</type></os><devices>"
        "<interface type='user'/></devices></domain>";
    g_autoptr(pfsDomainDef) a = NULL;
    g_autoptr(pfsDomainDef) b = NULL;
    g_autofree char *fa = NULL;

    pfsRandomSetSeed(1);
    a = pfsDomainDefParseString(xml);
    pfsRandomSetSeed(2);
    b = pfsDomainDefParseString(xml);
    assert_non_null(a);
    assert_non_null(b);
    assert_memory_not_equal(a->uuid, b->uuid, PFS_UUID_BUFLEN);
    assert_int_equal(a->uuid[6] >> 4, 4);   /* version 4 */
    assert_int_equal(a->nets[0]->mac[0], 0x52);
    assert_int_equal(a->nets[0]->mac[1], 0x54);
    assert_int_equal(a->nets[0]->mac[2], 0x00);

    fa = pfsDomainDefFormat(a);
    assert_non_null(strstr(fa, "<uuid>"));
    assert_non_null(strstr(fa, "<mac address='52:54:00:"));
}


/* Errors that only a malformed document can cause. */
static void
testParseErrors(void **state)
{
    static const struct {
        const char *xml;
        const char *msg;
    } cases[] = {
        { "<domain type='qemu'>", "XML error: domain.xml:1: " },
        { "<guest/>", "XML error: expecting root element of 'domain', not 'guest'" },
        { "<domain type='xen'><name>a</name></domain>",
          "XML error: Invalid value for attribute 'type' in element 'domain': 'xen'." },
        { "<domain type='qemu'><memory>1</memory><os><type>hvm</type></os></domain>",
          "XML error: missing domain name" },
        { "<domain type='qemu'><name>a</name><uuid>nope</uuid></domain>",
          "XML error: malformed uuid element 'nope'" },
        { "<domain type='qemu'><name>a</name><memory unit='parsec'>1</memory></domain>",
          "XML error: unknown suffix 'parsec'" },
        { "<domain type='qemu'><name>a</name><memory>1024</memory>"
          "<currentMemory>2048</currentMemory><os><type>hvm</type></os></domain>",
          "unsupported configuration: currentMemory (2048 KiB) must not be larger than memory (1024 KiB)" },
        { "<domain type='qemu'><name>a</name><name>b</name></domain>",
          "XML error: element 'name' may appear only once in 'domain'" },
        { "<domain type='qemu'><name>a</name><memory>1024</memory>"
          "<os><type>xen</type></os></domain>",
          "unsupported configuration: unknown OS type 'xen'" },
        { "<domain type='qemu'><name>a</name><memory>1024</memory>"
          "<os><type>hvm</type></os><devices><interface type='network'/></devices></domain>",
          "unsupported configuration: interface type 'network' is not supported, only 'user'" },
        { "<domain type='qemu'><name>a</name><memory>1024</memory>"
          "<os><type>hvm</type></os><seclabel type='dynamic' model='selinux'/></domain>",
          "unsupported configuration: security model 'selinux' is not supported, only 'dac'" },
        { "<domain type='qemu'><name>a</name><memory>1024</memory>"
          "<os><type>hvm</type></os><seclabel type='static' model='dac'>"
          "<label>nogroup</label></seclabel></domain>",
          "XML error: invalid DAC label 'nogroup': expecting 'user:group'" },
        { "<domain type='qemu'><name>a</name><memory>1024</memory>"
          "<os><type>hvm</type></os><devices><console type='pty'>"
          "<target type='virtio'/></console></devices></domain>",
          "unsupported configuration: target type 'virtio' of 'console' is not supported, only 'serial'" },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(pfsDomainDef) def = NULL;

        pfsErrorReset();
        def = pfsDomainDefParseString(cases[i].xml);
        if (def)
            fail_msg("case %zu parsed but should not", i);
        assert_non_null(pfsErrorLastMessage());
        if (!g_str_has_prefix(pfsErrorLastMessage(), cases[i].msg))
            fail_msg("case %zu: got '%s', want '%s'", i,
                     pfsErrorLastMessage(), cases[i].msg);
    }
}


/* A controller or balloon has no children but its alias and address:
 * without them it is written as an empty element. */
static void
testDeviceInfoOnly(void **state)
{
    const char *xml =
        "<domain type='qemu'><name>g</name><memory>1024</memory>"
        "<os><type>hvm</type></os><devices>"
        "<controller type='sata' index='0'><alias name='ua-sata'/>"
        "<address type='pci' domain='0' bus='0' slot='5' function='0'/></controller>"
        "<controller type='usb' index='0' model='none'/>"
        "<memballoon model='virtio'><alias name='ua-balloon'/></memballoon>"
        "</devices></domain>";
    g_autoptr(pfsDomainDef) def = NULL;
    g_autofree char *out = NULL;

    pfsErrorReset();
    if (!(def = pfsDomainDefParseString(xml)))
        fail_msg("%s", PFS_NULLSTR(pfsErrorLastMessage()));
    out = pfsDomainDefFormat(def);
    assert_non_null(strstr(out,
        "    <controller type='sata' index='0'>\n"
        "      <alias name='ua-sata'/>\n"
        "      <address type='pci' domain='0x0000' bus='0x00' slot='0x05' function='0x0'/>\n"
        "    </controller>\n"
        "    <controller type='usb' index='0' model='none'/>\n"));
    assert_non_null(strstr(out,
        "    <memballoon model='virtio'>\n"
        "      <alias name='ua-balloon'/>\n"
        "    </memballoon>\n"));
}


/* <memory>, <currentMemory> and the filesystem's space limits share one
 * reader of scaled numbers: memory in KiB (the default unit) up to
 * libvirt's bound, limits in bytes. */
static void
testScaledValues(void **state)
{
    static const struct {
        const char *memory;     /* the <memory> element */
        const char *limit;      /* a <space_soft_limit> element, or NULL */
        unsigned long long kib;
        unsigned long long bytes;
        const char *msg;        /* the error, or NULL */
    } cases[] = {
        { "<memory>1024</memory>", NULL, 1024, 0, NULL },
        { "<memory unit='MiB'>2</memory>", NULL, 2048, 0, NULL },
        { "<memory unit='b'>1025</memory>", NULL, 2, 0, NULL },
        { "<memory unit='KB'>1000</memory>", NULL, 977, 0, NULL },
        { "<memory unit='EiB'>7</memory>", NULL, 7ULL << 50, 0, NULL },
        { "<memory>1024</memory>",
          "<space_soft_limit>1000</space_soft_limit>", 1024, 1000, NULL },
        { "<memory>1024</memory>",
          "<space_soft_limit unit='KiB'>3</space_soft_limit>", 1024, 3072, NULL },
        { "<memory>1024</memory>",
          "<space_soft_limit unit='EiB'>15</space_soft_limit>", 1024, 15ULL << 60, NULL },
        { "<memory unit='EiB'>8</memory>", NULL, 0, 0,
          "XML error: value too large: 8EiB" },
        { "<memory>18014398509481984</memory>", NULL, 0, 0,
          "XML error: value too large: 18014398509481984" },
        { "<memory> -1</memory>", NULL, 0, 0,
          "XML error: invalid value '-1' for element 'memory'" },
        { "<memory>12k</memory>", NULL, 0, 0,
          "XML error: invalid value '12k' for element 'memory'" },
        { "<memory unit='KiB' extra='1'>1</memory>", NULL, 0, 0,
          "unsupported configuration: attribute 'extra' of element 'memory' is not supported" },
        { "<memory>1024</memory>",
          "<space_soft_limit unit='EiB'>16</space_soft_limit>", 0, 0,
          "XML error: value too large: 16EiB" },
        { "<memory>1024</memory>",
          "<space_soft_limit unit='furlong'>1</space_soft_limit>", 0, 0,
          "XML error: unknown suffix 'furlong'" },
        { "<memory>1024</memory>",
          "<space_soft_limit></space_soft_limit>", 0, 0,
          "XML error: invalid value '' for element 'space_soft_limit'" },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *xml = NULL;
        g_autoptr(pfsDomainDef) def = NULL;

        xml = g_strdup_printf("<domain type='qemu'><name>a</name>%s"
                              "<os><type>hvm</type></os><devices>"
                              "<filesystem><source dir='/s'/><target dir='t'/>%s"
                              "</filesystem></devices></domain>",
                              cases[i].memory, cases[i].limit ? cases[i].limit : "");
        pfsErrorReset();
        def = pfsDomainDefParseString(xml);
        if (cases[i].msg) {
            if (def)
                fail_msg("case %zu parsed but should not", i);
            if (g_strcmp0(pfsErrorLastMessage(), cases[i].msg) != 0)
                fail_msg("case %zu: got '%s', want '%s'", i,
                         PFS_NULLSTR(pfsErrorLastMessage()), cases[i].msg);
            continue;
        }
        if (!def)
            fail_msg("case %zu: %s", i, PFS_NULLSTR(pfsErrorLastMessage()));
        assert_int_equal(def->memory, cases[i].kib);
        assert_int_equal(def->fss[0]->spaceSoftLimit, cases[i].bytes);
    }
}


#define DO_TEST(n) n,
#define DO_TEST_FAILURE(n)
static const char *const names[] = {
#include "qemuxml2argvcases.h"
};
#undef DO_TEST
#undef DO_TEST_FAILURE


int
main(void)
{
    size_t n = G_N_ELEMENTS(names);
    g_autofree struct CMUnitTest *tests = g_new0(struct CMUnitTest, n + 4);
    size_t i;

    for (i = 0; i < n; i++) {
        tests[i].name = names[i];
        tests[i].test_func = testCompareXMLToXML;
        tests[i].initial_state = (void *)names[i];
    }
    tests[n].name = "generated identifiers";
    tests[n].test_func = testGeneratedIdentifiers;
    tests[n + 1].name = "parse errors";
    tests[n + 1].test_func = testParseErrors;
    tests[n + 2].name = "scaled values";
    tests[n + 2].test_func = testScaledValues;
    tests[n + 3].name = "device info only";
    tests[n + 3].test_func = testDeviceInfoOnly;

    return _cmocka_run_group_tests("domainxml2xmltest", tests, n + 4, NULL, NULL);
}
