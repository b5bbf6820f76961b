/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * virtproxyfslibvirttest.c: proxy shares converted for a stock libvirtd
 * (src/libvirt/libvirt_convert.c) and restored, without a libvirtd
 */
#include "pfsinternal.h"

#include <string.h>
#include <libxml/xpathInternals.h>

#include "domaintestutils.h"
#include "pfserror.h"
#include "pfstestutils.h"
#include "pfsxml.h"
#include "libvirt_convert.h"

#define BASE "/run/virt-proxyfs/libvirt"

static const char *domainXML =
    "<domain type='qemu'>\n"
    "  <name>guest</name>\n"
    "  <memory unit='MiB'>256</memory>\n"
    "  <os><type arch='x86_64' machine='pc'>hvm</type></os>\n"
    "  <devices>\n"
    "    <filesystem type='mount' accessmode='passthrough'>\n"
    "      <driver type='proxy'/>\n"
    "      <source dir='/srv/share'/>\n"
    "      <target dir='share'/>\n"
    "    </filesystem>\n"
    "    <filesystem type='mount' accessmode='mapped'>\n"
    "      <source dir='/srv/local'/>\n"
    "      <target dir='local'/>\n"
    "    </filesystem>\n"
    "    <filesystem type='mount'>\n"
    "      <driver type='proxy' wrpolicy='immediate'/>\n"
    "      <source dir='/srv/ro,x'/>\n"
    "      <target dir='ro'/>\n"
    "      <readonly/>\n"
    "      <alias name='ua-docs'/>\n"
    "      <address type='pci' domain='0x0000' bus='0x00' slot='0x07' function='0x0'/>\n"
    "    </filesystem>\n"
    "  </devices>\n"
    "  <qemu:commandline xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n"
    "    <qemu:arg value='-msg'/>\n"
    "    <qemu:arg value='timestamp=on'/>\n"
    "  </qemu:commandline>\n"
    "</domain>\n";


static xmlDoc *
parse(const char *xml)
{
    xmlDoc *doc = pfsXMLParse(NULL, xml, "domain", NULL);

    assert_non_null(doc);
    return doc;
}


static char *
xpathString(xmlDoc *doc, const char *xpath)
{
    g_autoptr(xmlXPathContext) ctxt = xmlXPathNewContext(doc);

    xmlXPathRegisterNs(ctxt, BAD_CAST "pfs", BAD_CAST PFS_LIBVIRT_NS);
    xmlXPathRegisterNs(ctxt, BAD_CAST "qemu", BAD_CAST PFS_LIBVIRT_QEMU_NS);
    ctxt->node = xmlDocGetRootElement(doc);
    return pfsXPathString(xpath, ctxt);
}


#define assertXPath(doc, xpath, want) \
    do { \
        g_autofree char *got_ = xpathString(doc, xpath); \
        assert_non_null(got_); \
        assert_string_equal(got_, want); \
    } while (0)


static void
testConvert(void **state G_GNUC_UNUSED)
{
    g_autoptr(xmlDoc) doc = parse(domainXML);

    assert_int_equal(pfsLibvirtConvert(doc, BASE), 2);
    /* what libvirt must not see is gone; its own share stays */
    assertXPath(doc, "string(count(/domain/devices/filesystem))", "1");
    assertXPath(doc, "string(/domain/devices/filesystem/target/@dir)", "local");
    /* what the hook needs */
    assertXPath(doc, "string(count(/domain/metadata/pfs:proxyfs/pfs:share))", "2");
    assertXPath(doc, "string(/domain/metadata/pfs:proxyfs/pfs:share[1]/@source)", "/srv/share");
    assertXPath(doc, "string(/domain/metadata/pfs:proxyfs/pfs:share[1]/@socket)",
                BASE "/guest/fs0.sock");
    assertXPath(doc, "string(/domain/metadata/pfs:proxyfs/pfs:share[1]/@readonly)", "no");
    assertXPath(doc, "string(/domain/metadata/pfs:proxyfs/pfs:share[2]/@alias)", "ua-docs");
    assertXPath(doc, "string(/domain/metadata/pfs:proxyfs/pfs:share[2]/@readonly)", "yes");
    /* QEMU's arguments, after the user's own */
    assertXPath(doc, "string(/domain/qemu:commandline/qemu:arg[1]/@value)", "-msg");
    assertXPath(doc, "string(/domain/qemu:commandline/qemu:arg[4]/@value)",
                "proxy,id=pfs-fs0,socket=" BASE "/guest/fs0.sock");
    assertXPath(doc, "string(/domain/qemu:commandline/qemu:arg[6]/@value)",
                "{\"driver\":\"virtio-9p-pci\",\"id\":\"pfs-dev-fs0\",\"fsdev\":\"pfs-fs0\","
                "\"mount_tag\":\"share\"}");
    assertXPath(doc, "string(/domain/qemu:commandline/qemu:arg[8]/@value)",
                "proxy,id=pfs-ua-docs,socket=" BASE "/guest/ua-docs.sock,"
                "writeout=immediate,readonly=on");
    /* an address the user wrote is kept */
    assertXPath(doc, "string(/domain/qemu:commandline/qemu:arg[10]/@value)",
                "{\"driver\":\"virtio-9p-pci\",\"id\":\"pfs-dev-ua-docs\","
                "\"fsdev\":\"pfs-ua-docs\",\"mount_tag\":\"ro\",\"bus\":\"pci.0\","
                "\"addr\":\"0x7\"}");
}


static void
testIdempotentAndRestore(void **state G_GNUC_UNUSED)
{
    g_autoptr(xmlDoc) doc = parse(domainXML);
    g_autofree char *once = NULL;
    g_autofree char *twice = NULL;

    assert_int_equal(pfsLibvirtConvert(doc, BASE), 2);
    once = pfsLibvirtFormat(doc);
    assert_int_equal(pfsLibvirtConvert(doc, BASE), 2);
    twice = pfsLibvirtFormat(doc);
    assert_string_equal(once, twice);

    assert_int_equal(pfsLibvirtRestore(doc), 0);
    /* the shares are back, the metadata and our arguments gone, the
     * user's own arguments kept */
    assertXPath(doc, "string(count(/domain/devices/filesystem))", "3");
    assertXPath(doc, "string(count(/domain/devices/filesystem[driver/@type='proxy']))", "2");
    assertXPath(doc, "string(/domain/devices/filesystem[alias/@name='ua-docs']/address/@slot)",
                "0x07");
    assertXPath(doc, "string(count(/domain/metadata))", "0");
    assertXPath(doc, "string(count(/domain/qemu:commandline/qemu:arg))", "2");
    assertXPath(doc, "string(count(//filesystem[readonly]))", "1");
}


/* whoever opens the stored domain with 'virsh edit' learns where the
 * shares are and how to change them */
static void
testHint(void **state G_GNUC_UNUSED)
{
    g_autoptr(xmlDoc) doc = parse(domainXML);
    g_autofree char *hint = NULL;

    assert_int_equal(pfsLibvirtConvert(doc, BASE), 2);
    hint = xpathString(doc, "string(/domain/metadata/pfs:proxyfs/comment())");
    assert_non_null(hint);
    assert_non_null(strstr(hint, "Change them with 'virt-proxyfs edit guest', not here"));
    /* one, however often converted; gone when restored */
    assert_int_equal(pfsLibvirtConvert(doc, BASE), 2);
    assertXPath(doc, "string(count(//comment()))", "1");
    assert_int_equal(pfsLibvirtRestore(doc), 0);
    assertXPath(doc, "string(count(//comment()))", "0");
}


/* what 'virt-proxyfs dumpxml' prints, from the domain as libvirt formats
 * it (indented, with its blank text): laid out as libvirt lays out */
static void
testFormatAsLibvirt(void **state G_GNUC_UNUSED)
{
    g_autoptr(xmlDoc) doc = parse(
        "<domain type='qemu'>\n"
        "  <name>guest</name>\n"
        "  <devices>\n"
        "    <filesystem type='mount' accessmode='passthrough'>\n"
        "      <driver type='proxy'/>\n"
        "      <source dir='/srv/share'/>\n"
        "      <target dir='share'/>\n"
        "    </filesystem>\n"
        "    <memballoon model='none'/>\n"
        "  </devices>\n"
        "</domain>\n");
    g_autofree char *stored = NULL;
    g_autoptr(xmlDoc) fromLibvirt = NULL;
    g_autofree char *shown = NULL;

    assert_int_equal(pfsLibvirtConvert(doc, BASE), 1);
    stored = pfsLibvirtFormat(doc);
    fromLibvirt = parse(stored);
    assert_int_equal(pfsLibvirtRestore(fromLibvirt), 0);
    shown = pfsLibvirtFormat(fromLibvirt);
    assert_string_equal(shown,
        "<?xml version=\"1.0\"?>\n"
        "<domain type=\"qemu\">\n"
        "  <name>guest</name>\n"
        "  <devices>\n"
        "    <memballoon model=\"none\"/>\n"
        "    <filesystem type=\"mount\" accessmode=\"passthrough\">\n"
        "      <driver type=\"proxy\"/>\n"
        "      <source dir=\"/srv/share\"/>\n"
        "      <target dir=\"share\"/>\n"
        "    </filesystem>\n"
        "  </devices>\n"
        "</domain>\n");
}


/* libvirt allows markup characters in a name */
static void
testMarkupInName(void **state G_GNUC_UNUSED)
{
    g_autoptr(xmlDoc) doc = parse("<domain type='qemu'><name>a&amp;b&lt;c</name><devices>"
                                  "<filesystem type='mount'><driver type='proxy'/>"
                                  "<source dir='/srv'/><target dir='t'/></filesystem>"
                                  "</devices></domain>");

    assert_int_equal(pfsLibvirtConvert(doc, BASE), 1);
    assertXPath(doc, "string(/domain/metadata/pfs:proxyfs/pfs:share/@socket)",
                BASE "/a&b<c/fs0.sock");
}


static void
testNothingToDo(void **state G_GNUC_UNUSED)
{
    g_autoptr(xmlDoc) doc = parse("<domain type='qemu'><name>g</name><devices/></domain>");
    g_autofree char *before = pfsLibvirtFormat(doc);
    g_autofree char *after = NULL;

    assert_int_equal(pfsLibvirtConvert(doc, BASE), 0);
    after = pfsLibvirtFormat(doc);
    assert_string_equal(before, after);
}


static void
assertConvertError(const char *devices, const char *message)
{
    g_autofree char *xml = g_strdup_printf("<domain type='qemu'><name>g</name>"
                                           "<devices>%s</devices></domain>", devices);
    g_autoptr(xmlDoc) doc = parse(xml);
    const char *got;

    assert_int_equal(pfsLibvirtConvert(doc, BASE), -1);
    got = pfsErrorLastMessage();
    if (!got || !strstr(got, message)) {
        print_error("want '%s', got '%s'\n", message, got ? got : "(none)");
        fail();
    }
}


static void
testErrors(void **state G_GNUC_UNUSED)
{
    assertConvertError("<filesystem type='mount' accessmode='mapped'><driver type='proxy'/>"
                       "<source dir='/a'/><target dir='t'/></filesystem>",
                       "only supports passthrough accessmode");
    assertConvertError("<filesystem type='mount'><driver type='proxy'/>"
                       "<source dir='relative'/><target dir='t'/></filesystem>",
                       "relative");
    assertConvertError("<filesystem type='mount'><driver type='proxy'/>"
                       "<source dir='/a'/><target dir='t'/></filesystem>"
                       "<filesystem type='mount' accessmode='mapped'>"
                       "<source dir='/b'/><target dir='t'/></filesystem>",
                       "filesystem target 't' specified twice");
}


/* The -fsdev value of golden line @line ("-fsdev VALUE \\"), or NULL. */
static char *
goldenArg(const char *line, const char *option)
{
    g_autofree char *prefix = g_strdup_printf("%s ", option);
    g_autofree char *value = NULL;
    size_t len;

    if (!g_str_has_prefix(line, prefix))
        return NULL;
    value = g_strdup(line + strlen(prefix));
    len = strlen(value);
    if (g_str_has_suffix(value, " \\"))
        value[len -= 2] = '\0';
    /* the JSON of -device is shell-quoted in the goldens */
    if (len >= 2 && value[0] == '\'' && value[len - 1] == '\'') {
        value[len - 1] = '\0';
        return g_strdup(value + 1);
    }
    return g_steal_pointer(&value);
}


/* The value of the converted domain's qemu:commandline argument that
 * follows @option and contains @part. */
static char *
bridgeArg(xmlDoc *doc, const char *option, const char *part)
{
    g_autofree char *xpath =
        g_strdup_printf("string(/domain/qemu:commandline/qemu:arg[@value='%s']"
                        "/following-sibling::qemu:arg[1][contains(@value, '%s')]/@value)",
                        option, part);

    return xpathString(doc, xpath);
}


static char *
replaceAll(const char *str, const char *pattern, const char *replacement)
{
    g_autoptr(GRegex) re = g_regex_new(pattern, 0, 0, NULL);

    assert_non_null(re);
    return g_regex_replace(re, str, -1, 0, replacement, 0, NULL);
}


/* The bridge's -fsdev and -device of one proxy share of golden @name,
 * against the driver's: the same but for the IDs, socket= instead of
 * sock_fd=, and the PCI address, which only the user's is kept. */
static void
checkGoldenShare(xmlDoc *golden, xmlDoc *converted, const char *name,
                 const char *fsdev, const char *device)
{
    g_autoptr(GMatchInfo) match = NULL;
    g_autoptr(GRegex) idRe = g_regex_new("^proxy,id=fsdev-([A-Za-z0-9_-]+),sock_fd=[0-9]+",
                                         0, 0, NULL);
    g_autoptr(GRegex) tagRe = g_regex_new("\"mount_tag\":\"([^\"]*)\"", 0, 0, NULL);
    g_autofree char *alias = NULL;
    g_autofree char *tag = NULL;
    g_autofree char *ours = NULL;
    g_autofree char *xpath = NULL;
    g_autofree char *userAddress = NULL;
    g_autofree char *wantFsdev = NULL;
    g_autofree char *wantDevice = NULL;
    g_autofree char *gotFsdev = NULL;
    g_autofree char *gotDevice = NULL;
    g_autofree char *part = NULL;
    g_autofree char *ids = NULL;
    g_autofree char *tmp = NULL;

    assert_true(g_regex_match(idRe, fsdev, 0, &match));
    alias = g_match_info_fetch(match, 1);
    g_clear_pointer(&match, g_match_info_free);
    assert_true(g_regex_match(tagRe, device, 0, &match));
    tag = g_match_info_fetch(match, 1);

    /* the bridge numbers its shares in a domain of their own */
    xpath = g_strdup_printf("string(/domain/metadata/pfs:proxyfs/pfs:share[@target='%s']/@alias)",
                            tag);
    ours = xpathString(converted, xpath);
    assert_non_null(ours);
    assert_true(*ours);
    g_free(xpath);
    xpath = g_strdup_printf("string(count(/domain/devices/filesystem[driver/@type='proxy' "
                            "and target/@dir='%s']/address))", tag);
    userAddress = xpathString(golden, xpath);

    tmp = g_strdup_printf("proxy,id=pfs-%s,socket=" BASE "/%s/%s.sock", ours, name, ours);
    wantFsdev = g_regex_replace_literal(idRe, fsdev, -1, 0, tmp, 0, NULL);
    g_free(tmp);
    tmp = g_strdup_printf("\"id\":\"%s\",\"fsdev\":\"fsdev-%s\"", alias, alias);
    ids = g_strdup_printf("\"id\":\"pfs-dev-%s\",\"fsdev\":\"pfs-%s\"", ours, ours);
    assert_non_null(strstr(device, tmp));
    wantDevice = replaceAll(device, tmp, ids);
    if (strcmp(userAddress, "0") == 0) {
        g_autofree char *noAddress =
            replaceAll(wantDevice, ",\"(bus|addr|multifunction)\":(\"[^\"]*\"|true|false)", "");

        g_free(wantDevice);
        wantDevice = g_steal_pointer(&noAddress);
    }

    part = g_strdup_printf("proxy,id=pfs-%s,", ours);
    gotFsdev = bridgeArg(converted, "-fsdev", part);
    g_free(part);
    part = g_strdup_printf("\"fsdev\":\"pfs-%s\"", ours);
    gotDevice = bridgeArg(converted, "-device", part);
    assert_string_equal(gotFsdev, wantFsdev);
    assert_string_equal(gotDevice, wantDevice);
}


/* Every proxy share of every xml2argv golden, through the bridge. */
static void
testGoldens(void **state G_GNUC_UNUSED)
{
    g_autofree char *dirPath = pfsTestDataPath("qemuxml2argvdata", "");
    g_autoptr(GDir) dir = g_dir_open(dirPath, 0, NULL);
    const char *entry;
    size_t nshares = 0;

    assert_non_null(dir);
    while ((entry = g_dir_read_name(dir))) {
        g_autofree char *base = NULL;
        g_autofree char *argsPath = NULL;
        g_autofree char *xmlPath = NULL;
        g_autofree char *args = NULL;
        g_autofree char *xml = NULL;
        g_autofree char *name = NULL;
        g_autoptr(xmlDoc) golden = NULL;
        g_autoptr(xmlDoc) converted = NULL;
        g_auto(GStrv) lines = NULL;
        size_t i;

        if (!g_str_has_suffix(entry, ".x86_64-7.2.0.args"))
            continue;
        argsPath = g_build_filename(dirPath, entry, NULL);
        assert_true(g_file_get_contents(argsPath, &args, NULL, NULL));
        if (!strstr(args, "-fsdev proxy,"))
            continue;
        base = g_strndup(entry, strlen(entry) - strlen(".x86_64-7.2.0.args"));
        xmlPath = g_strdup_printf("%s/%s.xml", dirPath, base);
        assert_true(g_file_get_contents(xmlPath, &xml, NULL, NULL));
        golden = parse(xml);
        converted = parse(xml);
        print_message("%s\n", base);
        assert_true(pfsLibvirtConvert(converted, BASE) > 0);
        name = xpathString(golden, "string(/domain/name)");

        lines = g_strsplit(args, "\n", -1);
        for (i = 0; lines[i]; i++) {
            g_autofree char *fsdev = goldenArg(lines[i], "-fsdev");
            g_autofree char *device = NULL;

            if (!fsdev || !g_str_has_prefix(fsdev, "proxy,"))
                continue;
            /* the builder writes each -device right after its -fsdev */
            assert_non_null(lines[i + 1]);
            device = goldenArg(lines[i + 1], "-device");
            assert_non_null(device);
            checkGoldenShare(golden, converted, name, fsdev, device);
            nshares++;
        }
    }
    /* more than a handful, or the goldens were not found */
    assert_true(nshares >= 15);
}


int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(testConvert),
        cmocka_unit_test(testIdempotentAndRestore),
        cmocka_unit_test(testHint),
        cmocka_unit_test(testFormatAsLibvirt),
        cmocka_unit_test(testMarkupInName),
        cmocka_unit_test(testNothingToDo),
        cmocka_unit_test(testErrors),
        cmocka_unit_test(testGoldens),
    };

    return cmocka_run_group_tests_name("virt-proxyfs and a stock libvirtd", tests, NULL, NULL);
}
