/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemuvalidatetest.c: QEMU driver rules that have no golden file
 * (filesystem checks, name arithmetic) and the quoting of command lines
 */
#include "pfsinternal.h"

#include <string.h>

#include "pfscmdline.h"
#include "pfserror.h"
#include "pfsjson.h"
#include "domain_conf.h"
#include "qemu_command.h"
#include "qemu_command_util.h"
#include "qemu_validate.h"

#include "pfstestutils.h"

static pfsDomainFSDef *
testFSNew(pfsDomainFSDriverType driver)
{
    pfsDomainFSDef *fs = pfsDomainFSDefNew();

    fs->fsdriver = driver;
    fs->accessmode = PFS_DOMAIN_FS_ACCESSMODE_PASSTHROUGH;
    fs->src = g_strdup("/srv/share");
    fs->dst = g_strdup("share");
    return fs;
}


static void
testProxyValidation(void **state)
{
    g_autoptr(pfsDomainFSDef) fs = testFSNew(PFS_DOMAIN_FS_DRIVER_TYPE_PROXY);

    assert_int_equal(qemuValidateDomainDeviceDefFS(fs), 0);
    fs->wrpolicy = PFS_DOMAIN_FS_WRPOLICY_IMMEDIATE;
    fs->readonly = true;
    fs->model = PFS_DOMAIN_FS_MODEL_VIRTIO_TRANSITIONAL;
    assert_int_equal(qemuValidateDomainDeviceDefFS(fs), 0);

    /* an enum value outside the table is an internal error */
    fs->fsdriver = PFS_DOMAIN_FS_DRIVER_TYPE_LAST;
    pfsErrorReset();
    assert_int_equal(qemuValidateDomainDeviceDefFS(fs), -1);
    assert_string_equal(pfsErrorLastMessage(),
                        "internal error: Unexpected enum value 8 for pfsDomainFSDriverType");
}


static void
testDiskNameToIndex(void **state)
{
    assert_int_equal(qemuDomainDiskNameToIndex("vda", "vd"), 0);
    assert_int_equal(qemuDomainDiskNameToIndex("vdz", "vd"), 25);
    assert_int_equal(qemuDomainDiskNameToIndex("vdaa", "vd"), 26);
    assert_int_equal(qemuDomainDiskNameToIndex("hdc", "hd"), 2);
    assert_int_equal(qemuDomainDiskNameToIndex("vd", "vd"), -1);
    assert_int_equal(qemuDomainDiskNameToIndex("sda", "vd"), -1);
    assert_int_equal(qemuDomainDiskNameToIndex("vd1", "vd"), -1);
}


static void
testEscapeComma(void **state)
{
    g_autoptr(GString) buf = g_string_new(NULL);

    qemuBuildBufferEscapeComma(buf, "/a,b,,c");
    assert_string_equal(buf->str, "/a,,b,,,,c");
}


static void
testShellQuote(void **state)
{
    static const struct {
        const char *in;
        const char *out;
    } cases[] = {
        { "plain-word_1.2,x=y:z/@%+", "plain-word_1.2,x=y:z/@%+" },
        { "", "''" },
        { "two words", "'two words'" },
        { "it's", "'it'\\''s'" },
        { "{\"a\":1}", "'{\"a\":1}'" },
        { "$HOME", "'$HOME'" },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GString) out = g_string_new(NULL);

        pfsShellQuote(out, cases[i].in);
        assert_string_equal(out->str, cases[i].out);
    }
}


static void
testCmdlineLayout(void **state)
{
    g_autoptr(pfsCmdline) cmd = pfsCmdlineNew("/usr/bin/qemu");
    g_autofree char *multi = NULL;
    g_autofree char *one = NULL;

    pfsCmdlineAddEnvPair(cmd, "HOME", "/a b");
    pfsCmdlineAddArgList(cmd, "-S", "-name", "guest=x", "-device", "{\"k\":\"v\"}", NULL);
    multi = pfsCmdlineToString(cmd, true);
    one = pfsCmdlineToString(cmd, false);
    assert_string_equal(multi,
                        "HOME='/a b' \\\n/usr/bin/qemu \\\n-S \\\n-name guest=x \\\n"
                        "-device '{\"k\":\"v\"}'");
    assert_string_equal(one,
                        "HOME='/a b' /usr/bin/qemu -S -name guest=x -device '{\"k\":\"v\"}'");
}


static void
testJSONEscape(void **state)
{
    g_autoptr(pfsJSONObject) obj = pfsJSONObjectNew();
    g_autofree char *str = NULL;

    pfsJSONObjectAppendString(obj, "tag", "a\"b\\c\n\x01");
    pfsJSONObjectAppendNumber(obj, "n", -3);
    pfsJSONObjectAppendBool(obj, "b", false);
    pfsJSONObjectAppendNull(obj, "z");
    str = pfsJSONObjectFormat(obj);
    assert_string_equal(str, "{\"tag\":\"a\\\"b\\\\c\\n\\u0001\",\"n\":-3,\"b\":false,\"z\":null}");
}


int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(testProxyValidation),
        cmocka_unit_test(testDiskNameToIndex),
        cmocka_unit_test(testEscapeComma),
        cmocka_unit_test(testShellQuote),
        cmocka_unit_test(testCmdlineLayout),
        cmocka_unit_test(testJSONEscape),
    };

    return cmocka_run_group_tests_name("qemuvalidatetest", tests, NULL, NULL);
}
