/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemuconftest.c: the QEMU driver's configuration file
 */
#include "pfsinternal.h"

#include <stdio.h>
#include <string.h>

#include "pfsconffile.h"
#include "pfserror.h"
#include "pfstestutils.h"
#include "qemu_conf.h"

static char *dir;


static void
assertLoadError(const char *content, const char *message)
{
    g_autoptr(qemuDriverConfig) cfg = qemuDriverConfigNew();
    g_autofree char *path = pfsTestWriteFilePath(dir, "bad.conf", content);
    const char *got;

    assert_int_equal(qemuDriverConfigLoad(cfg, path), -1);
    got = pfsErrorLastMessage();
    if (!got || !strstr(got, message)) {
        print_error("for:\n%s\nwant an error with '%s', got '%s'\n",
                    content, message, got ? got : "(none)");
        fail();
    }
}


static void
testDefaults(void **state G_GNUC_UNUSED)
{
    g_autoptr(qemuDriverConfig) cfg = qemuDriverConfigNew();

    assert_string_equal(cfg->user, "virt-proxyfs-qemu");
    assert_string_equal(cfg->group, "virt-proxyfs-qemu");
    assert_string_equal(cfg->helperUser, "virt-proxyfs");
    assert_string_equal(cfg->emulator, "/usr/bin/qemu-system-x86_64");
    assert_true(g_str_has_suffix(cfg->helper, "/virt-proxyfs-helper"));
    assert_true(g_str_has_suffix(cfg->stateDir, "/run/virt-proxyfs/qemu"));
    assert_int_equal(cfg->shutdownTimeout, 30);
    assert_int_equal(cfg->helperStartTimeout, 10);
    assert_int_equal(cfg->helperBusyPoll, 0);
    assert_true(g_str_has_suffix(qemuDriverConfigDefaultPath(), "/virt-proxyfs/qemu.conf"));
}


static void
testEverySetting(void **state G_GNUC_UNUSED)
{
    g_autoptr(qemuDriverConfig) cfg = qemuDriverConfigNew();
    g_autofree char *path = pfsTestWriteFilePath(dir, "all.conf",
        "# every setting\n"
        "\n"
        "user = \"nobody\"\n"
        "  group=\"nogroup\"   # trailing comment\n"
        "helper = \"/opt/helper\"\n"
        "helper_user = \"nobody\"\n"
        "helper_group = \"nogroup\"\n"
        "emulator = \"/opt/qemu \\\"x\\\" \\\\\"\n"
        "state_dir = \"/s\"\n"
        "log_dir = \"/l\"\n"
        "lib_dir = \"/v\"\n"
        "shutdown_timeout = 5\n"
        "helper_start_timeout=7\r\n"
        "helper_busy_poll = 50\n"
        "libvirt_qemu_conf = \"/lv/qemu.conf\"\n"
        "libvirt_user = \"lvuser\"\n"
        "libvirt_group = \"lvgroup\"\n");

    assert_int_equal(qemuDriverConfigLoad(cfg, path), 0);
    assert_string_equal(cfg->user, "nobody");
    assert_string_equal(cfg->group, "nogroup");
    assert_string_equal(cfg->helper, "/opt/helper");
    assert_string_equal(cfg->emulator, "/opt/qemu \"x\" \\");
    assert_string_equal(cfg->stateDir, "/s");
    assert_string_equal(cfg->logDir, "/l");
    assert_string_equal(cfg->libDir, "/v");
    assert_int_equal(cfg->shutdownTimeout, 5);
    assert_int_equal(cfg->helperStartTimeout, 7);
    assert_int_equal(cfg->helperBusyPoll, 50);
    assert_int_equal(cfg->uid, 65534);
    /* read, but looked up only for libvirt's hook */
    assert_string_equal(cfg->libvirtQemuConf, "/lv/qemu.conf");
    assert_string_equal(cfg->libvirtUser, "lvuser");
    assert_string_equal(cfg->libvirtGroup, "lvgroup");
}


static void
testErrors(void **state G_GNUC_UNUSED)
{
    assertLoadError("user = \"nobody\"\nuser_name = \"x\"\n", "bad.conf:2: unknown setting 'user_name'");
    assertLoadError("user = \"a\"\nuser = \"b\"\n", "bad.conf:2: 'user' is set twice");
    assertLoadError("user = nobody\n", "bad.conf:1: the value of 'user' must be a quoted string");
    assertLoadError("user = \"nobody\n", "bad.conf:1: unterminated string");
    assertLoadError("user = \"nobody\" x\n", "bad.conf:1: unexpected text after the value of 'user'");
    assertLoadError("shutdown_timeout = -1\n", "must be a non-negative integer");
    assertLoadError("helper_busy_poll = 1001\n", "helper_busy_poll must be at most 1000 microseconds");
    assertLoadError("shutdown_timeout = \"5\"\n", "must be a non-negative integer");
    assertLoadError("shutdown_timeout = 99999999999\n", "must be a non-negative integer");
    assertLoadError("just words\n", "bad.conf:1: expected 'name = value'");
    assertLoadError("= \"x\"\n", "expected 'name = value'");
    assertLoadError("helper = \"relative/helper\"\n",
                    "'helper' in the configuration must be an absolute path");
    assertLoadError("user = \"pfs-no-such-user\"\n", "pfs-no-such-user");
    assertLoadError("group = \"pfs-no-such-group\"\n", "pfs-no-such-group");
    assertLoadError("user = \"root\"\n", "QEMU must not run as root");
    assertLoadError("helper_user = \"pfs-no-such-helper-user\"\n", "pfs-no-such-helper-user");
    assertLoadError("libvirt_qemu_conf = \"qemu.conf\"\n",
                    "'libvirt_qemu_conf' in the configuration must be an absolute path");
    /* our own file stays strict: libvirt's settings are not ours */
    assertLoadError("cgroup_controllers = [ \"cpu\" ]\n",
                    "bad.conf:1: unknown setting 'cgroup_controllers'");
}


/* libvirt's qemu.conf as a stock installation may have it, read for
 * 'user' and 'group' only */
static const char libvirtConf[] =
    "# libvirt's file\n"
    "vnc_listen = \"0.0.0.0\"\n"
    "user = 'nobody'   # single quotes are libvirt syntax too\n"
    "cgroup_controllers = [ \"cpu\", \"devices\",\n"
    "    # a comment with ] and \" in a list\n"
    "  \"memory\" ]\n"
    "namespaces = []\n"
    "security_driver = [ \"selinux\", 'apparmor' ]   # trailing comment\n"
    "max_files = 32768\n"
    "offset = -1\n"
    "nested = [\n"
    "  [ 1, -2 ],\n"
    "  \"x]#\"\n"
    "]\n"
    "description = \"\"\"two\n"
    "lines # not a comment\"\"\"\n"
    "group = \"nogroup\"\n"
    "user = \"root\"   # set twice: libvirt keeps the first\n";


static int
loadLenient(const char *content, char **user, char **group)
{
    g_autofree char *path = pfsTestWriteFilePath(dir, "libvirt.conf", content);
    const pfsConfSetting settings[] = {
        { "user", PFS_CONF_STRING, user },
        { "group", PFS_CONF_STRING, group },
    };

    return pfsConfFileLoad(path, PFS_CONF_FILE_LENIENT, settings, G_N_ELEMENTS(settings));
}


static void
assertLenientError(const char *content, const char *message)
{
    g_autofree char *user = NULL;
    g_autofree char *group = NULL;
    const char *got;

    assert_int_equal(loadLenient(content, &user, &group), -1);
    got = pfsErrorLastMessage();
    if (!got || !strstr(got, message)) {
        print_error("for:\n%s\nwant an error with '%s', got '%s'\n",
                    content, message, got ? got : "(none)");
        fail();
    }
}


static void
testLenient(void **state G_GNUC_UNUSED)
{
    g_autofree char *user = NULL;
    g_autofree char *group = NULL;
    g_autofree char *path = pfsTestWriteFilePath(dir, "libvirt.conf", libvirtConf);
    const pfsConfSetting strict[] = { { "user", PFS_CONF_STRING, &user } };

    assert_int_equal(loadLenient(libvirtConf, &user, &group), 0);
    assert_string_equal(user, "nobody");
    assert_string_equal(group, "nogroup");

    /* the same file for a caller that did not ask for leniency */
    assert_int_equal(pfsConfFileLoad(path, 0, strict, 1), -1);
    assert_non_null(strstr(pfsErrorLastMessage(), "libvirt.conf:2: unknown setting 'vnc_listen'"));

    /* skipping still needs libvirt's syntax */
    assertLenientError("a = 1\nlist = [ \"x\",\n  \"y\"\n", "libvirt.conf:2: the list of 'list' is not closed");
    assertLenientError("x = ]\n", "libvirt.conf:1: cannot parse the value of 'x'");
    assertLenientError("x =\n", "libvirt.conf:1: cannot parse the value of 'x'");
    assertLenientError("x = word\n", "libvirt.conf:1: cannot parse the value of 'x'");
    assertLenientError("x = [ 1 ] 2\n", "libvirt.conf:1: unexpected text after the value of 'x'");
    assertLenientError("x = \"abc\n", "libvirt.conf:1: unterminated string");
    assertLenientError("x = \"\"\"abc\n\n", "libvirt.conf:1: unterminated string");
    assertLenientError("user = 'abc\n", "libvirt.conf:1: unterminated string");
    assertLenientError("user = nobody\n", "the value of 'user' must be a quoted string");
    assertLenientError("just words\n", "libvirt.conf:1: expected 'name = value'");
}


static void
testMissingFile(void **state G_GNUC_UNUSED)
{
    g_autofree char *path = g_build_filename(dir, "absent.conf", NULL);
    unsigned int n = 3;
    const pfsConfSetting settings[] = { { "n", PFS_CONF_UINT, &n } };
    g_autoptr(qemuDriverConfig) cfg = qemuDriverConfigNew();

    /* an optional file may be missing; one that was named must exist */
    assert_int_equal(pfsConfFileLoad(path, PFS_CONF_FILE_OPTIONAL, settings, 1), 0);
    assert_int_equal(n, 3);
    assert_int_equal(pfsConfFileLoad(path, 0, settings, 1), -1);
    assert_non_null(strstr(pfsErrorLastMessage(), "absent.conf"));
    assert_int_equal(qemuDriverConfigLoad(cfg, path), -1);
}


int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(testDefaults),
        cmocka_unit_test(testEverySetting),
        cmocka_unit_test(testErrors),
        cmocka_unit_test(testMissingFile),
        cmocka_unit_test(testLenient),
    };
    int ret;

    dir = pfsTestMakeTempDir("qemuconf");
    ret = cmocka_run_group_tests_name("QEMU driver configuration", tests, NULL, NULL);
    pfsTestRemoveTree(dir);
    g_free(dir);
    return ret;
}
