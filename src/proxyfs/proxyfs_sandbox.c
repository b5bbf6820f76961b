/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxyfs_sandbox.c: confining the helper before it serves
 *
 * The order matters, and follows what bubblewrap and crun do: namespaces
 * and mounts need root's full capabilities, so they come first; then the
 * identity switch, which keeps only the runtime capabilities and empties
 * the bounding set; then no_new_privs and the seccomp filter, last, so
 * that the filter only has to allow what serving requests needs. Every
 * step fails closed.
 */
#include "pfsinternal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pfscaps.h"
#include "pfserror.h"
#include "pfsfile.h"
#include "pfslog.h"
#include "proxyfs_mounts.h"
#include "proxyfs_sandbox.h"
#include "proxyfs_seccomp.h"

static int
pfsSandboxCountThreads(void)
{
    g_autoptr(GDir) dir = g_dir_open("/proc/self/task", 0, NULL);
    int n = 0;

    if (!dir)
        return -1;
    while (g_dir_read_name(dir))
        n++;
    return n;
}


int
pfsSandboxPrepare(const int *keep, size_t nkeep, unsigned int maxFiles)
{
    g_autofree int *all = g_new0(int, nkeep + 3);
    struct rlimit noCore = { 0, 0 };
    struct rlimit files = { maxFiles, maxFiles };
    int threads;

    /* Capabilities, ids and seccomp filters are per thread: a second
     * thread would keep everything we drop. */
    if ((threads = pfsSandboxCountThreads()) != 1) {
        pfsReportError(_("the helper must be single-threaded to confine itself, but has %d threads"),
                       threads);
        return -1;
    }

    all[0] = STDIN_FILENO;
    all[1] = STDOUT_FILENO;
    all[2] = STDERR_FILENO;
    memcpy(all + 3, keep, nkeep * sizeof(int));
    if (pfsCloseFdsExcept(0, all, nkeep + 3) < 0)
        return -1;

    if (setrlimit(RLIMIT_CORE, &noCore) < 0) {
        pfsReportSystemError(errno, _("cannot disable core dumps"));
        return -1;
    }
    /* A bounded fd table: a request needs a few fds at most, and one that
     * cannot get them answers EMFILE; the fds the helper holds for itself
     * are all opened at start-up. */
    if (setrlimit(RLIMIT_NOFILE, &files) < 0) {
        pfsReportSystemError(errno, _("cannot limit open files to %u"), maxFiles);
        return -1;
    }
    return 0;
}


static int
pfsSandboxSameInode(int a, int b)
{
    struct stat sa, sb;

    if (fstat(a, &sa) < 0 || fstat(b, &sb) < 0)
        return -1;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}


/* Make the export the root of a private mount namespace. */
static int
pfsSandboxPivot(pfsProxyExport *exp, const pfsSandboxConfig *cfg)
{
    struct mount_attr attr = {
        .attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
    };
    const char *path = cfg->exportPath;
    PFS_AUTOCLOSE here = -1;
    int newroot;

    if (unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS) < 0) {
        pfsReportSystemError(errno, _("cannot create private namespaces"));
        return -1;
    }
    /* Private both ways: nothing we mount or detach leaks out, and no
     * mount the host makes later reaches us. A late mount would come with
     * the host's options (no nosuid, nodev, noexec, writable under
     * --readonly) and could be a proc; the set of mounts we serve is the
     * one checked below, fixed from here on. */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
        pfsReportSystemError(errno, _("cannot make the mounts private"));
        return -1;
    }
    if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
        pfsReportSystemError(errno, _("cannot bind-mount the export '%s'"), path);
        return -1;
    }
    /* Device nodes, set-id bits and executables in the export mean
     * nothing to us: switch them off on our view of it, file systems
     * mounted inside it included (a remount would reach only the top
     * one). The atime options are left as they are. */
    if (cfg->readonly)
        attr.attr_set |= MOUNT_ATTR_RDONLY;
    if (mount_setattr(AT_FDCWD, path, AT_RECURSIVE, &attr, sizeof(attr)) < 0) {
        if (errno == ENOSYS)
            pfsReportError(_("mount_setattr() is not available: the sandbox needs Linux 5.12 or later"));
        else
            pfsReportSystemError(errno, _("cannot set the mount options of the export '%s'"), path);
        return -1;
    }

    if (chdir(path) < 0) {
        pfsReportSystemError(errno, _("cannot enter the export '%s'"), path);
        return -1;
    }
    /* The path was resolved again: it must still be the directory that
     * was checked and opened at start-up. */
    if ((here = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0 ||
        pfsSandboxSameInode(here, exp->rootfd) != 1) {
        pfsReportError(_("the export '%s' changed while the helper started"), path);
        return -1;
    }

    /* pivot_root(".", ".") stacks the old root on the new one, and the
     * lazy unmount then takes the whole host tree out of our view. */
    if (syscall(SYS_pivot_root, ".", ".") < 0) {
        pfsReportSystemError(errno, _("cannot make the export the root directory"));
        return -1;
    }
    if (umount2(".", MNT_DETACH) < 0) {
        pfsReportSystemError(errno, _("cannot detach the host's root directory"));
        return -1;
    }
    if (chdir("/") < 0) {
        pfsReportSystemError(errno, _("cannot enter the new root directory"));
        return -1;
    }

    if ((newroot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
        pfsReportSystemError(errno, _("cannot open the new root directory"));
        return -1;
    }
    if (pfsSandboxSameInode(newroot, exp->rootfd) != 1) {
        close(newroot);
        pfsReportError(_("the new root directory is not the export"));
        return -1;
    }
    pfsForceClose(&exp->rootfd);
    exp->rootfd = newroot;
    /* proc, sysfs, a /dev and their kind mounted inside the export
     * would hand the client the kernel's objects: detach them while
     * /proc/self still says what is mounted. */
    if (pfsMountsDetachPseudo(exp->rootfd, exp->procfd) < 0)
        return -1;
    /* Our root is the export now, and a /proc fd would be a way out. */
    pfsForceClose(&exp->procfd);
    exp->sandboxed = true;
    return 0;
}


typedef struct {
    const char *field;
    guint64 expected;
    bool hex;
} pfsSandboxStatusCheck;

static bool
pfsSandboxStatusValue(const char *status, const char *field, char **value)
{
    g_autofree char *key = g_strdup_printf("\n%s:", field);
    const char *line = strstr(status, key);
    const char *end;

    if (!line)
        return false;
    line += strlen(key);
    while (*line == ' ' || *line == '\t')
        line++;
    end = strchrnul(line, '\n');
    *value = g_strndup(line, end - line);
    return true;
}


/* Read /proc/self/status (through @statusfd, opened before pivot_root)
 * and compare every field that matters with what we meant to set up. */
static int
pfsSandboxSelfCheck(int statusfd, const pfsSandboxConfig *cfg)
{
    char buf[8192];
    ssize_t n;
    g_autofree char *ids = NULL;
    g_autofree char *uidLine = g_strdup_printf("%u\t%u\t%u\t%u", cfg->uid, cfg->uid,
                                               cfg->uid, cfg->uid);
    g_autofree char *gidLine = g_strdup_printf("%u\t%u\t%u\t%u", cfg->gid, cfg->gid,
                                               cfg->gid, cfg->gid);
    guint64 caps = pfsCapsHelperServingMask(cfg->allowDevices);
    pfsSandboxStatusCheck checks[] = {
        { "CapInh", 0, true },
        { "CapPrm", caps, true },
        { "CapEff", caps, true },
        { "CapBnd", 0, true },
        { "CapAmb", 0, true },
        { "NoNewPrivs", 1, false },
        { "Seccomp", 2, false },
        { "Threads", 1, false },
    };
    size_t i;

    n = pread(statusfd, buf + 1, sizeof(buf) - 2, 0);
    if (n <= 0) {
        pfsReportSystemError(errno, _("cannot read /proc/self/status for the final check"));
        return -1;
    }
    buf[0] = '\n';
    buf[n + 1] = '\0';

    for (i = 0; i < G_N_ELEMENTS(checks); i++) {
        g_autofree char *value = NULL;
        guint64 got;

        if (!pfsSandboxStatusValue(buf, checks[i].field, &value) ||
            !g_ascii_string_to_unsigned(value, checks[i].hex ? 16 : 10, 0,
                                        G_MAXUINT64, &got, NULL) ||
            got != checks[i].expected) {
            pfsReportError(_("sandbox self-check failed: %s is '%s', expected %llx"),
                           checks[i].field, PFS_NULLSTR(value),
                           (unsigned long long)checks[i].expected);
            return -1;
        }
    }
    if (!pfsSandboxStatusValue(buf, "Uid", &ids) || strcmp(ids, uidLine) != 0) {
        pfsReportError(_("sandbox self-check failed: Uid is '%s'"), PFS_NULLSTR(ids));
        return -1;
    }
    g_clear_pointer(&ids, g_free);
    if (!pfsSandboxStatusValue(buf, "Gid", &ids) || strcmp(ids, gidLine) != 0) {
        pfsReportError(_("sandbox self-check failed: Gid is '%s'"), PFS_NULLSTR(ids));
        return -1;
    }
    g_clear_pointer(&ids, g_free);
    if (!pfsSandboxStatusValue(buf, "Groups", &ids) || ids[0] != '\0') {
        pfsReportError(_("sandbox self-check failed: supplementary groups '%s' remain"),
                       PFS_NULLSTR(ids));
        return -1;
    }
    return 0;
}


int
pfsSandboxEnter(pfsProxyExport *exp, const pfsSandboxConfig *cfg)
{
    PFS_AUTOCLOSE statusfd = -1;
    size_t ncaps;
    const int *caps = pfsCapsHelperServing(cfg->allowDevices, &ncaps);

    if (cfg->uid == 0 || cfg->gid == 0) {
        pfsReportError(_("the helper will not serve as uid 0 or gid 0; give it a user of its own"));
        return -1;
    }
    /* Not dumpable from the start: nobody may ptrace or read our memory
     * while we still hold root's capabilities. */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
        pfsReportSystemError(errno, _("cannot make the process not dumpable"));
        return -1;
    }
    /* Opened now: after pivot_root there is no /proc. A file, not a
     * directory, so it leads nowhere else; closed after the check. */
    if ((statusfd = open("/proc/self/status", O_RDONLY | O_CLOEXEC)) < 0) {
        pfsReportSystemError(errno, _("cannot open /proc/self/status"));
        return -1;
    }

    if (pfsSandboxPivot(exp, cfg) < 0)
        return -1;

    if (pfsCapsSwitchUser(cfg->uid, cfg->gid, caps, ncaps) < 0)
        return -1;
    exp->euid = cfg->uid;
    exp->egid = cfg->gid;
    /* Changing ids resets the dumpable flag to the sysctl's value. */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 ||
        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        pfsReportSystemError(errno, _("cannot forbid new privileges"));
        return -1;
    }

    if (pfsSeccompLoad(cfg->listenfd) < 0)
        return -1;

    if (pfsSandboxSelfCheck(statusfd, cfg) < 0)
        return -1;
    return 0;
}
