/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxyfssandboxtest.c: what a running helper started as root looks like
 * from the outside, in /proc/<pid>, and how its start fails closed
 */
#include "pfsinternal.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pfscaps.h"
#include "pfsready.h"
#include "pfsspawn.h"
#include "pfstestexport.h"
#include "pfstestutils.h"

#define H(state) (((pfsTestExport *)*(state))->helper)
#define EXP(state) ((pfsTestExport *)*(state))

static int markerFd = -1;
static char *markerPath;

/* An fd the helper inherits without asking: it must close it. */
static int
setupWithInheritedFd(void **state, const char *const *extra)
{
    markerPath = g_build_filename(g_get_tmp_dir(), "pfstest-inherited-marker", NULL);
    markerFd = open(markerPath, O_RDWR | O_CREAT, 0600);   /* no O_CLOEXEC */
    *state = pfsTestExportNew(NULL, extra);
    close(markerFd);
    markerFd = -1;
    /* the first reply proves start-up is over */
    assert_int_equal(pfsTestLstat(H(state), "/", NULL), 0);
    return 0;
}


static int
setupHelper(void **state)
{
    if (geteuid() != 0) {
        *state = NULL;
        return 0;
    }
    return setupWithInheritedFd(state, NULL);
}


static int
setupReadonlyHelper(void **state)
{
    const char *const extra[] = { "--readonly", "--allow-device-nodes", NULL };

    if (geteuid() != 0) {
        *state = NULL;
        return 0;
    }
    return setupWithInheritedFd(state, extra);
}


static int
teardownHelper(void **state)
{
    if (markerPath) {
        unlink(markerPath);
        g_clear_pointer(&markerPath, g_free);
    }
    pfsTestExportFree(*state);
    return 0;
}


static char *
procFile(pid_t pid, const char *name)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/%s", (int)pid, name);
    char *content = pfsTestReadFile(path);

    assert_non_null(content);
    return content;
}


static char *
statusField(pid_t pid, const char *field)
{
    g_autofree char *status = procFile(pid, "status");
    g_autofree char *key = g_strdup_printf("\n%s:", field);
    const char *p = strstr(status, key);
    const char *end;

    assert_non_null(p);
    p += strlen(key);
    while (*p == '\t' || *p == ' ')
        p++;
    end = strchrnul(p, '\n');
    return g_strndup(p, end - p);
}


static void
assertStatus(pid_t pid, const char *field, const char *expected)
{
    g_autofree char *value = statusField(pid, field);

    if (strcmp(value, expected) != 0) {
        print_error("%s is '%s', expected '%s'\n", field, value, expected);
        fail();
    }
}


static void
helperIdentity(uid_t *uid, gid_t *gid)
{
    struct passwd *pw = getpwnam("virt-proxyfs");

    PFS_TEST_SKIP_UNLESS(pw != NULL,
                         "the system user virt-proxyfs is missing (build-aux/create-user.sh)");
    *uid = pw->pw_uid;
    *gid = pw->pw_gid;
}


/* E1: ids, groups, capabilities, no_new_privs, seccomp, one thread */
static void
testStatus(void **state)
{
    pid_t pid;
    uid_t uid;
    gid_t gid;
    g_autofree char *ids = NULL;
    g_autofree char *gids = NULL;

    PFS_TEST_REQUIRE_ROOT();
    helperIdentity(&uid, &gid);
    pid = H(state)->pid;
    ids = g_strdup_printf("%u\t%u\t%u\t%u", uid, uid, uid, uid);
    gids = g_strdup_printf("%u\t%u\t%u\t%u", gid, gid, gid, gid);

    assertStatus(pid, "Uid", ids);
    assertStatus(pid, "Gid", gids);
    assertStatus(pid, "Groups", "");
    assertStatus(pid, "CapInh", "0000000000000000");
    /* CHOWN, DAC_OVERRIDE, FOWNER, FSETID */
    assertStatus(pid, "CapPrm", "000000000000001b");
    assertStatus(pid, "CapEff", "000000000000001b");
    assertStatus(pid, "CapBnd", "0000000000000000");
    assertStatus(pid, "CapAmb", "0000000000000000");
    assertStatus(pid, "NoNewPrivs", "1");
    assertStatus(pid, "Seccomp", "2");
    assertStatus(pid, "Threads", "1");
}


static void
testStatusDevicesReadonly(void **state)
{
    pid_t pid;

    PFS_TEST_REQUIRE_ROOT();
    pid = H(state)->pid;
    /* CAP_MKNOD only when device nodes are allowed */
    assertStatus(pid, "CapEff", "000000000800001b");
    assertStatus(pid, "CapBnd", "0000000000000000");
}


/* E2: not dumpable, and not traceable by its own uid */
static void
testNotDumpable(void **state)
{
    g_autofree char *status = NULL;
    struct stat st;
    pid_t pid, child;
    uid_t uid;
    gid_t gid;
    int wstatus;

    PFS_TEST_REQUIRE_ROOT();
    helperIdentity(&uid, &gid);
    pid = H(state)->pid;
    status = g_strdup_printf("/proc/%d/status", (int)pid);
    assert_int_equal(stat(status, &st), 0);
    assert_int_equal(st.st_uid, 0);
    assert_int_equal(st.st_gid, 0);

    /* a process of the helper's own uid cannot attach to it */
    if ((child = fork()) == 0) {
        if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 ||
            setresuid(uid, uid, uid) < 0)
            _exit(2);
        if (ptrace(PTRACE_ATTACH, pid, NULL, NULL) == 0)
            _exit(1);
        _exit(errno == EPERM ? 0 : 3);
    }
    assert_int_equal(waitpid(child, &wstatus, 0), child);
    assert_true(WIFEXITED(wstatus));
    assert_int_equal(WEXITSTATUS(wstatus), 0);
}


/* E3: inherited fds are gone; only stdio, the socket and the root */
static void
testFds(void **state)
{
    g_autofree char *dir = NULL;
    g_autoptr(GDir) fds = NULL;
    const char *name;
    int count = 0;

    PFS_TEST_REQUIRE_ROOT();
    dir = g_strdup_printf("/proc/%d/fd", (int)H(state)->pid);
    fds = g_dir_open(dir, 0, NULL);
    assert_non_null(fds);
    while ((name = g_dir_read_name(fds))) {
        g_autofree char *link = g_build_filename(dir, name, NULL);
        g_autofree char *target = g_file_read_link(link, NULL);

        assert_non_null(target);
        if (strstr(target, "pfstest-inherited-marker")) {
            print_error("fd %s still points at the inherited file\n", name);
            fail();
        }
        /* nothing of /proc: from such an fd '..' reaches all of it */
        assert_null(strstr(target, "/proc"));
        count++;
    }
    /* 0, 1, 2, the connection and the export's root */
    assert_int_equal(count, 5);
}


/* E6: limits */
static void
testLimits(void **state)
{
    g_autofree char *limits = NULL;
    g_auto(GStrv) lines = NULL;
    size_t i;
    int found = 0;

    PFS_TEST_REQUIRE_ROOT();
    limits = procFile(H(state)->pid, "limits");
    lines = g_strsplit(limits, "\n", -1);
    for (i = 0; lines[i]; i++) {
        g_auto(GStrv) f = NULL;

        if (g_str_has_prefix(lines[i], "Max core file size")) {
            f = g_strsplit_set(lines[i] + strlen("Max core file size"), " ", -1);
            assert_non_null(strstr(lines[i], " 0 "));
            found++;
        } else if (g_str_has_prefix(lines[i], "Max open files")) {
            assert_non_null(strstr(lines[i], " 64 "));
            found++;
        }
    }
    assert_int_equal(found, 2);
}


static bool
sameNamespace(pid_t pid, const char *ns)
{
    g_autofree char *theirs = g_strdup_printf("/proc/%d/ns/%s", (int)pid, ns);
    g_autofree char *ours = g_strdup_printf("/proc/self/ns/%s", ns);
    g_autofree char *a = g_file_read_link(theirs, NULL);
    g_autofree char *b = g_file_read_link(ours, NULL);

    assert_non_null(a);
    assert_non_null(b);
    return strcmp(a, b) == 0;
}


/* Its own namespaces; its root is the export; no /proc, nosuid, nodev */
static void
testNamespacesAndRoot(void **state)
{
    pid_t pid;
    g_autofree char *mountinfo = NULL;
    g_autofree char *rootDir = NULL;
    g_autofree char *marker = NULL;
    g_auto(GStrv) lines = NULL;
    size_t i;
    int mounts = 0;

    PFS_TEST_REQUIRE_ROOT();
    pid = H(state)->pid;
    assert_false(sameNamespace(pid, "mnt"));
    assert_false(sameNamespace(pid, "net"));
    assert_false(sameNamespace(pid, "ipc"));
    assert_false(sameNamespace(pid, "uts"));

    /* what it sees as / is the export */
    pfsTestWriteFile(EXP(state)->root, "marker", "m");
    rootDir = g_strdup_printf("/proc/%d/root", (int)pid);
    marker = g_build_filename(rootDir, "marker", NULL);
    assert_int_equal(access(marker, F_OK), 0);
    {
        g_autofree char *etc = g_build_filename(rootDir, "etc", NULL);
        g_autofree char *proc = g_build_filename(rootDir, "proc", NULL);
        assert_int_equal(access(etc, F_OK), -1);
        assert_int_equal(access(proc, F_OK), -1);
    }

    /* one mount: the export, with the safe options */
    mountinfo = procFile(pid, "mountinfo");
    lines = g_strsplit(mountinfo, "\n", -1);
    for (i = 0; lines[i]; i++) {
        g_auto(GStrv) f = NULL;

        if (!*lines[i])
            continue;
        f = g_strsplit(lines[i], " ", -1);
        /* field 5: mount point, field 6: per-mount options */
        assert_string_equal(f[4], "/");
        assert_non_null(strstr(f[5], "nosuid"));
        assert_non_null(strstr(f[5], "nodev"));
        assert_non_null(strstr(f[5], "noexec"));
        mounts++;
    }
    assert_int_equal(mounts, 1);
}


static void
testReadonlyMount(void **state)
{
    g_autofree char *mountinfo = NULL;
    g_auto(GStrv) f = NULL;

    PFS_TEST_REQUIRE_ROOT();
    mountinfo = procFile(H(state)->pid, "mountinfo");
    f = g_strsplit(mountinfo, " ", 7);
    /* the kernel enforces --readonly too */
    assert_true(g_str_has_prefix(f[5], "ro,"));
}


/* ---- start-up failures: every one refuses to serve, with a reason ---- */

typedef struct {
    int status;
    char *err;
} startResult;

static void
startHelper(startResult *res, const char *const *prefix, const char *const *extra)
{
    g_autofree char *dir = pfsTestMakeTempDir("sbstart");
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autoptr(GError) err = NULL;
    int sv[2];
    g_autofree char *fd = NULL;

    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    fd = g_strdup_printf("%d", sv[1]);
    for (; prefix && *prefix; prefix++)
        g_ptr_array_add(argv, (char *)*prefix);
    g_ptr_array_add(argv, (char *)pfsTestHelperBinary());
    g_ptr_array_add(argv, (char *)"-n");
    g_ptr_array_add(argv, (char *)"-p");
    g_ptr_array_add(argv, dir);
    g_ptr_array_add(argv, (char *)"-f");
    g_ptr_array_add(argv, fd);
    for (; extra && *extra; extra++)
        g_ptr_array_add(argv, (char *)*extra);
    g_ptr_array_add(argv, NULL);

    /* the helper gets EOF at once if it serves at all */
    close(sv[0]);
    assert_true(g_spawn_sync(NULL, (char **)argv->pdata, NULL,
                             G_SPAWN_LEAVE_DESCRIPTORS_OPEN | G_SPAWN_STDOUT_TO_DEV_NULL |
                             G_SPAWN_SEARCH_PATH,
                             NULL, NULL, NULL, &res->err, &res->status, &err));
    close(sv[1]);
    pfsTestRemoveTree(dir);
}


static void
assertRefused(const startResult *res, const char *text)
{
    if (!WIFEXITED(res->status) || WEXITSTATUS(res->status) != 1 ||
        !strstr(res->err, text)) {
        print_error("expected a refusal with '%s'; got 0x%x:\n%s\n", text,
                    res->status, res->err);
        fail();
    }
}


static void
testRefusesRootIdentity(void **state)
{
    const char *const asRoot[] = { "--user", "root", NULL };
    const char *const asZero[] = { "--user", "0", NULL };
    const char *const groupZero[] = { "--group", "0", NULL };
    const char *const missing[] = { "--user", "no-such-user-pfstest", NULL };
    startResult res = { 0 };

    PFS_TEST_REQUIRE_ROOT();
    startHelper(&res, NULL, asRoot);
    assertRefused(&res, "does not serve as root");
    g_free(res.err);
    startHelper(&res, NULL, asZero);
    assertRefused(&res, "does not serve as root");
    g_free(res.err);
    startHelper(&res, NULL, groupZero);
    assertRefused(&res, "does not serve as root");
    g_free(res.err);
    startHelper(&res, NULL, missing);
    assertRefused(&res, "user 'no-such-user-pfstest' does not exist");
    g_free(res.err);
}


/* E7: root without the capabilities confinement needs: refuse */
static bool
haveSetpriv(void)
{
    g_autofree char *path = g_find_program_in_path("setpriv");

    return path != NULL;
}


static void
testFailsClosedWithoutCaps(void **state)
{
    const char *const noSetpcap[] = { "setpriv", "--bounding-set=-setpcap",
                                      "--inh-caps=-setpcap", NULL };
    const char *const noSysAdmin[] = { "setpriv", "--bounding-set=-sys_admin",
                                       "--inh-caps=-sys_admin", NULL };
    startResult res = { 0 };

    PFS_TEST_REQUIRE_ROOT();
    PFS_TEST_SKIP_UNLESS(haveSetpriv(), "setpriv (util-linux) is not installed");
    startHelper(&res, noSysAdmin, NULL);
    assertRefused(&res, "cannot create private namespaces");
    g_free(res.err);
    startHelper(&res, noSetpcap, NULL);
    assertRefused(&res, "capabilit");
    g_free(res.err);
}


/* Start the helper on @dir as the driver does (qemu_proxyfs.c): as root
 * bounded to @caps, reporting on --ready-fd. Returns its report, with
 * what it says in *@reason and, once it serves, its CapEff in *@capEff. */
static int
startBoundedHelper(const char *dir, guint64 caps, bool allowDevices,
                   char **reason, char **capEff)
{
    g_autoptr(pfsCmdline) cmd = pfsCmdlineNew(pfsTestHelperBinary());
    pfsSpawnAttrs attrs = PFS_SPAWN_ATTRS_INIT;
    int sv[2];
    int ready[2];
    int status;
    pid_t pid;
    int r;

    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
    pfsCmdlineAddArgList(cmd, "-n", "-p", dir, "-f", NULL);
    pfsCmdlineAddArgFormat(cmd, "%d", sv[1]);
    pfsCmdlineAddArg(cmd, "--ready-fd");
    pfsCmdlineAddArgFormat(cmd, "%d", ready[1]);
    if (allowDevices)
        pfsCmdlineAddArg(cmd, "--allow-device-nodes");
    pfsCmdlinePassFD(cmd, sv[1]);
    pfsCmdlinePassFD(cmd, ready[1]);
    attrs.setCaps = true;
    attrs.caps = caps;
    assert_int_equal(pfsSpawn(cmd, &attrs, &pid), 0);
    close(sv[1]);
    close(ready[1]);

    r = pfsReadyWait(ready[0], 10000, reason);
    close(ready[0]);
    if (r == PFS_READY_OK)
        *capEff = statusField(pid, "CapEff");
    /* its end of the connection: a helper that serves exits */
    close(sv[0]);
    assert_int_equal(pfsSpawnWait(pid, 10000, &status), 1);
    return r;
}


/* What the driver starts the helper with is exactly what it needs: it
 * serves with it, keeping the serving set, and refuses to start without
 * any one of it. The driver and the helper take both sets from
 * pfscaps.c; this ties that list to what the helper does. */
static void
testStartCapsExactlyNeeded(void **state G_GNUC_UNUSED)
{
    guint64 confine = 1ULL << CAP_SYS_ADMIN | 1ULL << CAP_SETUID |
                      1ULL << CAP_SETGID | 1ULL << CAP_SETPCAP;
    g_autofree char *dir = NULL;
    uid_t uid;
    gid_t gid;
    int devices;

    assert_int_equal(pfsCapsHelperStartMask(false), pfsCapsHelperServingMask(false) | confine);
    assert_int_equal(pfsCapsHelperStartMask(true), pfsCapsHelperServingMask(true) | confine);
    PFS_TEST_REQUIRE_ROOT();
    helperIdentity(&uid, &gid);
    dir = pfsTestMakeTempDir("caps");

    for (devices = 0; devices <= 1; devices++) {
        guint64 start = pfsCapsHelperStartMask(devices);
        g_autofree char *serving = g_strdup_printf("%016llx",
                                                   (unsigned long long)pfsCapsHelperServingMask(devices));
        g_autofree char *reason = NULL;
        g_autofree char *capEff = NULL;
        int cap;

        if (startBoundedHelper(dir, start, devices, &reason, &capEff) != PFS_READY_OK) {
            print_error("the helper did not start with %llx: %s\n",
                        (unsigned long long)start, PFS_NULLSTR(reason));
            fail();
        }
        assert_string_equal(capEff, serving);
        for (cap = 0; cap < 64; cap++) {
            g_autofree char *why = NULL;
            g_autofree char *eff = NULL;

            if (!(start & (1ULL << cap)))
                continue;
            if (startBoundedHelper(dir, start & ~(1ULL << cap), devices, &why, &eff) !=
                PFS_READY_FAILED) {
                print_error("the helper started without capability %d\n", cap);
                fail();
            }
        }
    }
    pfsTestRemoveTree(dir);
}


/* Started as a normal user: only with --unprivileged, never with caps */
static void
testUnprivilegedStart(void **state)
{
    const char *const asNobody[] = { "setpriv", "--reuid=65534", "--regid=65534",
                                     "--clear-groups", NULL };
    const char *const withCaps[] = { "setpriv", "--reuid=65534", "--regid=65534",
                                     "--clear-groups", "--inh-caps=+chown",
                                     "--ambient-caps=+chown", NULL };
    const char *const unpriv[] = { "--unprivileged", NULL };
    startResult res = { 0 };

    PFS_TEST_REQUIRE_ROOT();
    PFS_TEST_SKIP_UNLESS(haveSetpriv(), "setpriv (util-linux) is not installed");
    startHelper(&res, asNobody, NULL);
    assertRefused(&res, "must be started as root");
    g_free(res.err);
    startHelper(&res, withCaps, unpriv);
    assertRefused(&res, "with capabilities");
    g_free(res.err);
    /* allowed: serves (and exits 0 at the EOF it gets at once) */
    startHelper(&res, asNobody, unpriv);
    assert_true(WIFEXITED(res.status) && WEXITSTATUS(res.status) == 0);
    assert_non_null(strstr(res.err, "without a sandbox"));
    g_free(res.err);
    /* and root may not ask for it */
    startHelper(&res, NULL, unpriv);
    assertRefused(&res, "--unprivileged is for helpers started as a normal user");
    g_free(res.err);
}


/* The helper started on @dir must refuse to serve, saying @text. */
static void
assertStartRefused(const char *dir, const char *text)
{
    g_autoptr(pfsTestHelper) h = pfsTestHelperStart(pfsTestHelperBinary(), dir, NULL);
    g_autofree char *log = NULL;
    int status;

    assert_non_null(h);
    status = pfsTestHelperWaitExit(h, 10000);
    log = pfsTestHelperLog(h);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 1 ||
        !strstr(log, text)) {
        print_error("expected the helper on %s to refuse with '%s'; got 0x%x:\n%s\n",
                    dir, text, status, log);
        fail();
    }
}


/* Issue 12: an export on a kernel pseudo-filesystem is refused, and so is
 * one with a pseudo-filesystem mounted inside it that the sandbox cannot
 * reach to detach (hidden under another mount): fail closed. */
static void
testRefusesPseudoFs(void **state G_GNUC_UNUSED)
{
    g_autofree char *top = NULL;
    g_autofree char *a = NULL;
    g_autofree char *proc = NULL;

    PFS_TEST_REQUIRE_ROOT();
    assertStartRefused("/proc/sys", "is on a proc filesystem");
    assertStartRefused("/sys/kernel", "is on a sysfs filesystem");

    top = pfsTestMakeTempDir("hiddenproc");
    a = g_build_filename(top, "a", NULL);
    proc = g_build_filename(a, "proc", NULL);
    assert_int_equal(g_mkdir_with_parents(proc, 0755), 0);
    assert_int_equal(unshare(CLONE_NEWNS), 0);
    assert_int_equal(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
    assert_int_equal(mount("proc", proc, "proc", 0, NULL), 0);
    assert_int_equal(mount("tmpfs", a, "tmpfs", 0, "mode=0755"), 0);
    assertStartRefused(top, "hidden under another mount");
    assert_int_equal(umount2(a, MNT_DETACH), 0);
    assert_int_equal(umount2(proc, MNT_DETACH), 0);
    pfsTestRemoveTree(top);
}


/* The log of a helper serving @dir (started with @extra) for one request. */
static char *
logOfHelper(const char *dir, const char *const *extra)
{
    g_autoptr(pfsTestHelper) h = pfsTestHelperStart(pfsTestHelperBinary(), dir, extra);

    assert_non_null(h);
    assert_int_equal(pfsTestLstat(h, "/", NULL), 0);
    assert_int_equal(pfsTestHelperFinish(h), 0);
    return pfsTestHelperLog(h);
}


/* E8: the guest's set-id files and device nodes are real on the host
 * unless the host mounts the export nosuid and nodev: the helper warns. */
static void
testWarnsAboutHostMountFlags(void **state G_GNUC_UNUSED)
{
    g_autofree char *top = NULL;
    g_autofree char *plain = NULL;
    g_autofree char *safe = NULL;
    const char *const devices[] = { "--allow-device-nodes", NULL };
    const char *const readonly[] = { "--readonly", NULL };
    g_autofree char *log1 = NULL, *log2 = NULL, *log3 = NULL, *log4 = NULL;

    PFS_TEST_REQUIRE_ROOT();
    top = pfsTestMakeTempDir("mountflags");
    plain = g_build_filename(top, "plain", NULL);
    safe = g_build_filename(top, "safe", NULL);
    assert_int_equal(mkdir(plain, 0755), 0);
    assert_int_equal(mkdir(safe, 0755), 0);
    /* our own mounts, in a mount namespace of this test process */
    assert_int_equal(unshare(CLONE_NEWNS), 0);
    assert_int_equal(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
    assert_int_equal(mount("tmpfs", plain, "tmpfs", 0, "mode=0755"), 0);
    assert_int_equal(mount("tmpfs", safe, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755"), 0);

    log1 = logOfHelper(plain, devices);
    assert_non_null(strstr(log1, "mounted without nosuid"));
    assert_non_null(strstr(log1, "mounted without nodev"));
    log2 = logOfHelper(plain, NULL);
    assert_non_null(strstr(log2, "mounted without nosuid"));
    assert_null(strstr(log2, "mounted without nodev"));
    log3 = logOfHelper(safe, devices);
    assert_null(strstr(log3, "mounted without"));
    /* nothing can be created on a read-only export */
    log4 = logOfHelper(plain, readonly);
    assert_null(strstr(log4, "mounted without"));

    umount2(plain, MNT_DETACH);
    umount2(safe, MNT_DETACH);
    pfsTestRemoveTree(top);
}


#define T(fn) cmocka_unit_test_setup_teardown(fn, setupHelper, teardownHelper)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(testStatus),
        T(testNotDumpable),
        T(testFds),
        T(testLimits),
        T(testNamespacesAndRoot),
        cmocka_unit_test_setup_teardown(testStatusDevicesReadonly,
                                        setupReadonlyHelper, teardownHelper),
        cmocka_unit_test_setup_teardown(testReadonlyMount,
                                        setupReadonlyHelper, teardownHelper),
        cmocka_unit_test(testRefusesRootIdentity),
        cmocka_unit_test(testFailsClosedWithoutCaps),
        cmocka_unit_test(testStartCapsExactlyNeeded),
        cmocka_unit_test(testUnprivilegedStart),
        cmocka_unit_test(testWarnsAboutHostMountFlags),
        cmocka_unit_test(testRefusesPseudoFs),
    };

    return cmocka_run_group_tests_name("proxyfs sandbox", tests, NULL, NULL);
}
