/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvirthooktest.c: what libvirt's QEMU hook decides and does
 * (src/libvirt/libvirt_hook.c, libvirt_conf.c), without a libvirtd: in
 * directories of the test's own
 */
#include "pfsinternal.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "pfserror.h"
#include "pfstestutils.h"
#include "libvirt_conf.h"
#include "libvirt_hook.h"

static char *dir;
static char *runDir;
static char *logDir;


/* libvirt's qemu.conf, read for 'user' and 'group' only */
static const char libvirtConf[] =
    "vnc_listen = \"0.0.0.0\"\n"
    "user = 'nobody'   # single quotes are libvirt syntax too\n"
    "cgroup_controllers = [ \"cpu\", \"devices\" ]\n"
    "group = \"nogroup\"\n";


/* our file, naming libvirt's, for the hook */
static qemuDriverConfig *
loadForLibvirt(const char *ours, const char *libvirts, int expect)
{
    g_autoptr(qemuDriverConfig) cfg = qemuDriverConfigNew();
    g_autofree char *libvirtPath = NULL;
    g_autofree char *content = NULL;
    g_autofree char *path = NULL;

    libvirtPath = libvirts ? pfsTestWriteFilePath(dir, "libvirt-qemu.conf", libvirts)
                           : g_build_filename(dir, "absent-libvirt.conf", NULL);
    content = g_strdup_printf("helper_user = \"nobody\"\n"
                              "helper_group = \"nogroup\"\n"
                              "user = \"pfs-no-such-user\"   # not needed by the hook\n"
                              "libvirt_qemu_conf = \"%s\"\n%s",
                              libvirtPath, ours);
    path = pfsTestWriteFilePath(dir, "ours.conf", content);
    assert_int_equal(pfsLibvirtConfigLoad(cfg, path), expect);
    return g_steal_pointer(&cfg);
}


static void
assertLibvirtError(const char *ours, const char *libvirts, const char *message)
{
    g_autoptr(qemuDriverConfig) cfg = loadForLibvirt(ours, libvirts, -1);

    pfsTestAssertLastError(message);
}


static void
testLibvirtUser(void **state G_GNUC_UNUSED)
{
    g_autoptr(qemuDriverConfig) fromLibvirt = loadForLibvirt("", libvirtConf, 0);
    g_autoptr(qemuDriverConfig) ours = NULL;
    g_autoptr(qemuDriverConfig) mixed = NULL;
    g_autoptr(qemuDriverConfig) fallback = NULL;

    assert_string_equal(fromLibvirt->libvirtUser, "nobody");
    assert_string_equal(fromLibvirt->libvirtGroup, "nogroup");
    assert_int_equal(fromLibvirt->libvirtUid, 65534);

    /* ours wins, and "+N" is a number as in libvirt */
    ours = loadForLibvirt("libvirt_user = \"+65534\"\nlibvirt_group = \"+65534\"\n",
                          "user = \"root\"\ngroup = \"root\"\n", 0);
    assert_int_equal(ours->libvirtUid, 65534);
    assert_int_equal(ours->libvirtGid, 65534);
    mixed = loadForLibvirt("libvirt_group = \"nogroup\"\n", "user = \"+65534\"\ngroup = \"root\"\n", 0);
    assert_int_equal(mixed->libvirtUid, 65534);
    assert_string_equal(mixed->libvirtGroup, "nogroup");

    /* no libvirt file, or one without them: libvirt's built-in default,
     * which may or may not exist on this machine */
    fallback = qemuDriverConfigNew();
    {
        g_autofree char *content = g_strdup_printf("helper_user = \"nobody\"\n"
                                                   "helper_group = \"nogroup\"\n"
                                                   "libvirt_qemu_conf = \"%s/absent\"\n", dir);
        g_autofree char *path = pfsTestWriteFilePath(dir, "ours.conf", content);

        if (pfsLibvirtConfigLoad(fallback, path) < 0)
            assert_non_null(strstr(pfsErrorLastMessage(), "libvirt-qemu"));
        assert_string_equal(fallback->libvirtUser, "libvirt-qemu");
        assert_string_equal(fallback->libvirtGroup, "libvirt-qemu");
    }

    assertLibvirtError("", "user = \"root\"\ngroup = \"nogroup\"\n",
                       "libvirt runs QEMU as root ('user' in ");
    assertLibvirtError("libvirt_user = \"+0\"\nlibvirt_group = \"nogroup\"\n", NULL,
                       "libvirt runs QEMU as root ('libvirt_user' in ");
    assertLibvirtError("libvirt_user = \"+abc\"\n", NULL, "invalid user '+abc' in 'libvirt_user' in ");
    assertLibvirtError("", "user = \"pfs-no-such-qemu\"\n",
                       "user 'pfs-no-such-qemu' does not exist; libvirt runs QEMU as that user ('user' in ");
    assertLibvirtError("", "user = \"nobody\"\ngroup = \"pfs-no-such-group\"\n", "pfs-no-such-group");
    assertLibvirtError("", "cgroup_controllers = [\n", "the list of 'cgroup_controllers' is not closed");
}


static void
testActions(void **state G_GNUC_UNUSED)
{
    assert_int_equal(pfsLibvirtHookActionFor("prepare", "begin"), PFS_LIBVIRT_HOOK_PREPARE);
    assert_int_equal(pfsLibvirtHookActionFor("stopped", "end"), PFS_LIBVIRT_HOOK_STOP);
    assert_int_equal(pfsLibvirtHookActionFor("release", "end"), PFS_LIBVIRT_HOOK_STOP);
    /* libvirt's other calls: the helpers live from prepare to release */
    assert_int_equal(pfsLibvirtHookActionFor("prepare", "end"), PFS_LIBVIRT_HOOK_NOTHING);
    assert_int_equal(pfsLibvirtHookActionFor("start", "begin"), PFS_LIBVIRT_HOOK_NOTHING);
    assert_int_equal(pfsLibvirtHookActionFor("started", "begin"), PFS_LIBVIRT_HOOK_NOTHING);
    assert_int_equal(pfsLibvirtHookActionFor("stopped", "begin"), PFS_LIBVIRT_HOOK_NOTHING);
    assert_int_equal(pfsLibvirtHookActionFor("migrate", "begin"), PFS_LIBVIRT_HOOK_NOTHING);
    assert_int_equal(pfsLibvirtHookActionFor("reconnect", "begin"), PFS_LIBVIRT_HOOK_NOTHING);
}


/* Our qemu.conf for the hook: the test's helper, users every Debian has
 * (root's tests use the project's helper user) and libvirt's QEMU user
 * 'nobody'. */
static char *
hookConf(bool realHelperUser)
{
    g_autofree char *content =
        g_strdup_printf("helper = \"%s\"\n%s"
                        "libvirt_user = \"+65534\"\nlibvirt_group = \"+65534\"\n",
                        pfsTestHelperBinary(),
                        realHelperUser ? "" :
                        "helper_user = \"nobody\"\nhelper_group = \"nogroup\"\n");

    return pfsTestWriteFilePath(dir, "hook.conf", content);
}


/* A domain as 'virt-proxyfs define' leaves it, with @shares inside
 * <pfs:proxyfs> and @extra in <domain>. */
static char *
domainXML(const char *name, const char *shares, const char *extra)
{
    return g_strdup_printf("<domain type='qemu'><name>%s</name>%s"
                           "<metadata><pfs:proxyfs xmlns:pfs='https://virt-proxyfs.org/xmlns/libvirt/1'>"
                           "%s</pfs:proxyfs></metadata></domain>",
                           name, extra, shares);
}


static char *
shareXML(const char *alias, const char *source, const char *readonly,
         const char *socket)
{
    g_autofree char *defSocket = g_strdup_printf("%s/guest/%s.sock", runDir, alias);

    return g_strdup_printf("<pfs:share alias='%s' source='%s' target='t-%s' "
                           "readonly='%s' socket='%s'>&lt;filesystem/&gt;</pfs:share>",
                           alias, source, alias, readonly, socket ? socket : defSocket);
}


static void
assertPrepareRefused(const char *xml, const char *message)
{
    g_autofree char *conf = hookConf(false);
    const pfsLibvirtHookDirs dirs = { runDir, logDir, conf };

    assert_int_equal(pfsLibvirtHookPrepare(&dirs, "guest", xml), -1);
    pfsTestAssertLastError(message);
    /* refused before anything was made */
    assert_false(g_file_test(runDir, G_FILE_TEST_EXISTS));
    assert_false(g_file_test(logDir, G_FILE_TEST_EXISTS));
}


static void
testRefused(void **state G_GNUC_UNUSED)
{
    g_autofree char *ok = shareXML("fs0", "/srv", "no", NULL);
    g_autofree char *badAlias = shareXML("..", "/srv", "no", "x");
    g_autofree char *relative = shareXML("fs0", "srv", "no", NULL);
    g_autofree char *readonly = shareXML("fs0", "/srv", "maybe", NULL);
    g_autofree char *elsewhere = shareXML("fs0", "/srv", "no", "/etc/shadow");
    g_autofree char *twice = g_strconcat(ok, ok, NULL);
    g_autofree char *xml = NULL;

#define REFUSED(shares, extra, message) \
    do { \
        g_free(xml); \
        xml = domainXML("guest", shares, extra); \
        assertPrepareRefused(xml, message); \
    } while (0)

    REFUSED(badAlias, "", "has no valid alias");
    REFUSED(relative, "", "has no absolute source directory");
    REFUSED(readonly, "", "readonly must be 'yes' or 'no'");
    REFUSED(elsewhere, "", "the socket must be '");
    REFUSED(twice, "", "two proxy shares have the alias 'fs0'");
    /* a DAC label that runs QEMU as root, or that cannot be read */
    REFUSED(ok, "<seclabel type='static' model='dac'><label>+0:+0</label></seclabel>",
            "runs QEMU as root");
    REFUSED(ok, "<seclabel type='static' model='dac'><label>nobody</label></seclabel>",
            "cannot parse the DAC label 'nobody'");
    REFUSED(ok, "<seclabel type='static' model='dac'><label>pfs-no-such-user:nogroup</label></seclabel>",
            "pfs-no-such-user");
    assertPrepareRefused("<domain", "");
#undef REFUSED
}


static void
testNothingToDo(void **state G_GNUC_UNUSED)
{
    const pfsLibvirtHookDirs dirs = { runDir, logDir, "/nonexistent/conf" };

    /* no proxy share: neither our configuration nor a directory */
    assert_int_equal(pfsLibvirtHookPrepare(&dirs, "guest",
                                           "<domain><name>guest</name></domain>"), 0);
    assert_int_equal(pfsLibvirtHookStop(&dirs, "guest"), 0);
    assert_false(g_file_test(runDir, G_FILE_TEST_EXISTS));
    assert_false(g_file_test(logDir, G_FILE_TEST_EXISTS));

    /* the name becomes a directory */
    assert_int_equal(pfsLibvirtHookStop(&dirs, ".."), -1);
    pfsTestAssertLastError("cannot be used in a path");
    assert_int_equal(pfsLibvirtHookPrepare(&dirs, "a/b", "<domain/>"), -1);
    pfsTestAssertLastError("cannot be used in a path");
}


/* A pid file is a claim, not a proof: a process that is not the
 * share's helper is never signalled. */
static void
testStopForeignPid(void **state G_GNUC_UNUSED)
{
    const pfsLibvirtHookDirs dirs = { runDir, logDir, NULL };
    g_autofree char *domDir = g_build_filename(runDir, "guest", NULL);
    g_autofree char *pid = NULL;
    pid_t child;
    int status;

    if ((child = fork()) == 0) {
        pause();
        _exit(0);
    }
    assert_true(child > 0);
    assert_int_equal(g_mkdir_with_parents(domDir, 0700), 0);
    pid = g_strdup_printf("%d\n", (int)child);
    pfsTestWriteFile(domDir, "fs0.pid", pid);
    pfsTestWriteFile(domDir, "fs1.pid", "not a pid\n");

    assert_int_equal(pfsLibvirtHookStop(&dirs, "guest"), 0);
    assert_int_equal(kill(child, 0), 0);
    assert_false(g_file_test(domDir, G_FILE_TEST_EXISTS));

    kill(child, SIGKILL);
    assert_int_equal(waitpid(child, &status, 0), child);
    pfsTestRemoveTree(runDir);
}


/* Whether a process with @part in its command line runs. */
static bool
processWith(const char *part)
{
    g_autoptr(GDir) proc = g_dir_open("/proc", 0, NULL);
    const char *entry;

    assert_non_null(proc);
    while ((entry = g_dir_read_name(proc))) {
        g_autofree char *path = g_strdup_printf("/proc/%s/cmdline", entry);
        g_autofree char *cmdline = NULL;
        gsize len = 0;
        gsize off;

        if (!g_ascii_isdigit(entry[0]) ||
            !g_file_get_contents(path, &cmdline, &len, NULL))
            continue;
        for (off = 0; off < len; off += strlen(cmdline + off) + 1) {
            if (strstr(cmdline + off, part))
                return true;
        }
    }
    return false;
}


static void
testPrepareAndStop(void **state G_GNUC_UNUSED)
{
    g_autofree char *conf = NULL;
    g_autofree char *source = g_build_filename(dir, "export", NULL);
    g_autofree char *missing = g_build_filename(dir, "missing", NULL);
    g_autofree char *domDir = g_build_filename(runDir, "guest", NULL);
    g_autofree char *socket = g_build_filename(domDir, "fs0.sock", NULL);
    g_autofree char *share0 = NULL;
    g_autofree char *share1 = NULL;
    g_autofree char *both = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *bad = NULL;
    struct stat st;

    PFS_TEST_REQUIRE_ROOT();
    conf = hookConf(true);
    {
        const pfsLibvirtHookDirs dirs = { runDir, logDir, conf };

        assert_int_equal(g_mkdir_with_parents(source, 0755), 0);
        share0 = shareXML("fs0", source, "no", NULL);
        xml = domainXML("guest", share0, "");
        assert_int_equal(pfsLibvirtHookPrepare(&dirs, "guest", xml), 0);

        /* QEMU's group reaches the socket, nobody else the directory */
        assert_int_equal(stat(domDir, &st), 0);
        assert_int_equal(st.st_uid, 0);
        assert_int_equal(st.st_gid, 65534);
        assert_int_equal(st.st_mode & 07777, 0710);
        assert_int_equal(lstat(socket, &st), 0);
        assert_true(S_ISSOCK(st.st_mode));
        assert_int_equal(st.st_uid, 65534);
        assert_true(processWith(socket));

        assert_int_equal(pfsLibvirtHookStop(&dirs, "guest"), 0);
        assert_false(g_file_test(domDir, G_FILE_TEST_EXISTS));
        assert_false(processWith(socket));

        /* one share fails: the other's helper is stopped, nothing stays */
        share1 = shareXML("fs1", missing, "yes", NULL);
        both = g_strconcat(share0, share1, NULL);
        bad = domainXML("guest", both, "");
        assert_int_equal(pfsLibvirtHookPrepare(&dirs, "guest", bad), -1);
        pfsTestAssertLastError("missing");
        assert_false(g_file_test(domDir, G_FILE_TEST_EXISTS));
        assert_false(processWith(socket));
    }
    pfsTestRemoveTree(runDir);
    pfsTestRemoveTree(logDir);
}


int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(testActions),
        cmocka_unit_test(testLibvirtUser),
        cmocka_unit_test(testRefused),
        cmocka_unit_test(testNothingToDo),
        cmocka_unit_test(testStopForeignPid),
        cmocka_unit_test(testPrepareAndStop),
    };
    int ret;

    dir = pfsTestMakeTempDir("libvirthook");
    runDir = g_build_filename(dir, "run", NULL);
    logDir = g_build_filename(dir, "log", NULL);
    ret = cmocka_run_group_tests_name("libvirt's QEMU hook", tests, NULL, NULL);
    pfsTestRemoveTree(dir);
    g_free(runDir);
    g_free(logDir);
    g_free(dir);
    return ret;
}
