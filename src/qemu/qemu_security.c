/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_security.c: the files QEMU opens, made openable by its user
 *
 * QEMU runs as an unprivileged user and opens by path what its command
 * line names: the files of <serial type='file'>, the kernel, the initrd,
 * the disks. As libvirt's DAC driver does, the driver creates the serial
 * files for it and gives them to its user for the run, then gives them
 * back; but only where root alone can change the directory, because it
 * acts as root by name there (a user who can write to the directory
 * could put a symlink in the file's place). The file is opened once,
 * with O_NOFOLLOW, and changed and restored through that fd. Then every
 * path is checked by a child process that has become QEMU's user, so
 * that a start fails up front naming the path rather than in QEMU's log.
 */
#include "pfsinternal.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pfserror.h"
#include "pfsfile.h"
#include "pfslog.h"
#include "qemu_security.h"

typedef struct _qemuSecurityFile qemuSecurityFile;
struct _qemuSecurityFile {
    char *path;
    int fd;
    int dirfd;                  /* created: its directory, to remove it */
    uid_t uid;                  /* to restore */
    gid_t gid;
};

struct _qemuSecurityLabels {
    GPtrArray *files;           /* qemuSecurityFile, in the order changed */
};


static void
qemuSecurityFileFree(qemuSecurityFile *file)
{
    pfsForceClose(&file->fd);
    pfsForceClose(&file->dirfd);
    g_free(file->path);
    g_free(file);
}


/* Whether @path can be accessed with @mode (R_OK, W_OK...) by @uid:@gid
 * with no supplementary groups, as QEMU will run. 0, or the errno. */
static int
qemuSecurityCheckAs(uid_t uid, gid_t gid, const char *path, int mode)
{
    pid_t pid;
    int status;

    if ((pid = fork()) < 0)
        return errno;
    if (pid == 0) {
        if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 ||
            setresuid(uid, uid, uid) < 0)
            _exit(EPERM);
        _exit(access(path, mode) < 0 ? errno : 0);
    }
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return errno;
    }
    if (!WIFEXITED(status))
        return EIO;
    return WEXITSTATUS(status);
}


static int
qemuSecurityCheck(const qemuDriverConfig *cfg, const char *path, int mode,
                  const char *what)
{
    int err = qemuSecurityCheckAs(cfg->uid, cfg->gid, path, mode);

    if (err == 0)
        return 0;
    if (mode & W_OK)
        pfsReportSystemError(err, _("QEMU's user '%s' cannot write to '%s' (%s)"),
                             cfg->user, path, what);
    else
        pfsReportSystemError(err, _("QEMU's user '%s' cannot read '%s' (%s)"),
                             cfg->user, path, what);
    return -1;
}


/* Create (when missing) the file @path of @what and give it to QEMU's
 * user, when root alone controls its directory. Sets *@changed to the
 * file to restore, or leaves it NULL when the directory is not root's
 * (QEMU then opens what is there as itself). */
static int
qemuSecurityGiveFile(const qemuDriverConfig *cfg, const char *path, const char *what,
                     qemuSecurityFile **changed)
{
    g_autofree char *dir = g_path_get_dirname(path);
    g_autofree char *base = g_path_get_basename(path);
    PFS_AUTOCLOSE dirfd = -1;
    PFS_AUTOCLOSE fd = -1;
    struct stat st;
    bool created = false;
    qemuSecurityFile *file;

    *changed = NULL;
    if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        pfsReportSystemError(errno, _("cannot open directory '%s' of '%s' (%s)"),
                             dir, path, what);
        return -1;
    }
    if (fstat(dirfd, &st) < 0) {
        pfsReportSystemError(errno, _("cannot inspect directory '%s'"), dir);
        return -1;
    }
    if (st.st_uid != 0 || (st.st_mode & 022) != 0)
        return 0;

    if ((fd = openat(dirfd, base, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0) {
        if (errno != ENOENT) {
            pfsReportSystemError(errno, _("cannot open '%s' (%s)"), path, what);
            return -1;
        }
        if ((fd = openat(dirfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                         0600)) < 0) {
            pfsReportSystemError(errno, _("cannot create '%s' (%s)"), path, what);
            return -1;
        }
        created = true;
    }
    if (fstat(fd, &st) < 0) {
        pfsReportSystemError(errno, _("cannot inspect '%s'"), path);
        if (created)
            unlinkat(dirfd, base, 0);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        pfsReportError(_("'%s' (%s) is not a regular file"), path, what);
        return -1;
    }
    if (fchown(fd, cfg->uid, cfg->gid) < 0) {
        pfsReportSystemError(errno, _("cannot give '%s' (%s) to QEMU's user '%s'"),
                             path, what, cfg->user);
        if (created)
            unlinkat(dirfd, base, 0);
        return -1;
    }
    file = g_new0(qemuSecurityFile, 1);
    file->path = g_strdup(path);
    file->fd = g_steal_fd(&fd);
    file->dirfd = created ? g_steal_fd(&dirfd) : -1;
    /* one the driver made is root's again afterwards, as libvirt does */
    file->uid = created ? 0 : st.st_uid;
    file->gid = created ? 0 : st.st_gid;
    *changed = file;
    return 0;
}


void
qemuSecurityRestoreAll(qemuSecurityLabels *labels, bool removeCreated)
{
    guint i;

    if (!labels)
        return;
    /* newest first: a file named twice gets its first owner back */
    for (i = labels->files->len; i > 0; i--) {
        qemuSecurityFile *file = labels->files->pdata[i - 1];

        if (removeCreated && file->dirfd >= 0) {
            g_autofree char *base = g_path_get_basename(file->path);

            /* by name, but in a directory only root can change */
            if (unlinkat(file->dirfd, base, 0) == 0 || errno == ENOENT)
                continue;
        }
        if (fchown(file->fd, file->uid, file->gid) < 0)
            PFS_WARN(_("cannot give '%s' back to uid %u: %s"), file->path,
                     (unsigned int)file->uid, g_strerror(errno));
    }
    g_ptr_array_free(labels->files, TRUE);
    g_free(labels);
}


qemuSecurityLabels *
qemuSecuritySetAll(const qemuDriverConfig *cfg, const pfsDomainDef *def)
{
    qemuSecurityLabels *labels = g_new0(qemuSecurityLabels, 1);
    size_t i;

    labels->files = g_ptr_array_new_with_free_func((GDestroyNotify)qemuSecurityFileFree);

    for (i = 0; i < def->nserials; i++) {
        const pfsDomainChrDef *chr = def->serials[i];
        g_autofree char *what = NULL;
        qemuSecurityFile *file;
        int err;

        if (chr->type != PFS_DOMAIN_CHR_TYPE_FILE || !chr->path)
            continue;
        what = g_strdup_printf(_("serial port '%s'"), chr->info.alias);
        if (qemuSecurityGiveFile(cfg, chr->path, what, &file) < 0)
            goto error;
        if (file) {
            g_ptr_array_add(labels->files, file);
        } else if (access(chr->path, F_OK) < 0 && errno == ENOENT) {
            /* QEMU will create it, in a directory that is not root's */
            g_autofree char *dir = g_path_get_dirname(chr->path);

            if ((err = qemuSecurityCheckAs(cfg->uid, cfg->gid, dir, W_OK | X_OK)) != 0) {
                pfsReportSystemError(err, _("QEMU's user '%s' cannot create '%s' (%s) in '%s'"),
                                     cfg->user, chr->path, what, dir);
                goto error;
            }
            continue;
        }
        if (qemuSecurityCheck(cfg, chr->path, W_OK, what) < 0)
            goto error;
    }

    if (def->os.kernel && qemuSecurityCheck(cfg, def->os.kernel, R_OK, _("the kernel")) < 0)
        goto error;
    if (def->os.initrd && qemuSecurityCheck(cfg, def->os.initrd, R_OK, _("the initrd")) < 0)
        goto error;
    for (i = 0; i < def->ndisks; i++) {
        const pfsDomainDiskDef *disk = def->disks[i];
        g_autofree char *what = NULL;
        bool ro = disk->readonly || disk->device == PFS_DOMAIN_DISK_DEVICE_CDROM;

        if (!disk->src)
            continue;
        what = g_strdup_printf(_("disk '%s'"), disk->dst);
        if (qemuSecurityCheck(cfg, disk->src, ro ? R_OK : R_OK | W_OK, what) < 0)
            goto error;
    }
    return labels;

 error:
    qemuSecurityRestoreAll(labels, true);
    return NULL;
}
