/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxyfs_mounts.c: kernel pseudo-filesystems inside an export
 *
 * Which filesystem an object is on is decided by the kernel's statfs
 * magic of the mount, never by where it is mounted: a chroot's /proc
 * may sit anywhere in an export. Mounts are found in our own
 * /proc/<pid>/mountinfo, but each is opened and checked to be the mount
 * the line names (same mount id) before anything is decided, and it is
 * detached through that very fd, so that no rename by a host user can
 * make us look at one mount and detach another.
 */
#include "pfsinternal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pfserror.h"
#include "pfsfile.h"
#include "pfslog.h"
#include "proxyfs_mounts.h"

/* Magic numbers <linux/magic.h> of Debian 12 does not have. */
#define PFS_CONFIGFS_MAGIC 0x62656570
#define PFS_FUSECTL_MAGIC 0x65735543
#define PFS_MQUEUE_MAGIC 0x19800202
#define PFS_RPC_PIPEFS_MAGIC 0x67596969
#define PFS_NFSD_MAGIC 0x6e667364

typedef struct {
    unsigned long magic;
    const char *name;
} pfsMountsPseudoFs;

/* Interfaces to the kernel, to devices and to other processes. */
static const pfsMountsPseudoFs pfsMountsPseudoFsTable[] = {
    { PROC_SUPER_MAGIC, "proc" },
    { SYSFS_MAGIC, "sysfs" },
    { DEVPTS_SUPER_MAGIC, "devpts" },
    { DEBUGFS_MAGIC, "debugfs" },
    { TRACEFS_MAGIC, "tracefs" },
    { SECURITYFS_MAGIC, "securityfs" },
    { SELINUX_MAGIC, "selinuxfs" },
    { SMACK_MAGIC, "smackfs" },
    { CGROUP_SUPER_MAGIC, "cgroup" },
    { CGROUP2_SUPER_MAGIC, "cgroup2" },
    { BPF_FS_MAGIC, "bpf" },
    { PFS_CONFIGFS_MAGIC, "configfs" },
    { EFIVARFS_MAGIC, "efivarfs" },
    { PSTOREFS_MAGIC, "pstore" },
    { PFS_FUSECTL_MAGIC, "fusectl" },
    { PFS_MQUEUE_MAGIC, "mqueue" },
    { BINFMTFS_MAGIC, "binfmt_misc" },
    { NSFS_MAGIC, "nsfs" },
    { PFS_RPC_PIPEFS_MAGIC, "rpc_pipefs" },
    { PFS_NFSD_MAGIC, "nfsd" },
    { XENFS_SUPER_MAGIC, "xenfs" },
};

/* Pseudo-filesystems statfs cannot tell from storage: devtmpfs answers
 * with tmpfs's magic, but its one superblock holds the host's /dev. */
static const char *const pfsMountsPseudoFsByType[] = {
    "devtmpfs",
};

/* Enough to see through a host user renaming directories while we look;
 * more would mean somebody keeps doing it, and we refuse to start. */
#define PFS_MOUNTS_HIDDEN_RETRIES 3


const char *
pfsMountsPseudoFsName(unsigned long magic, const char *fstype)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(pfsMountsPseudoFsTable); i++) {
        if (pfsMountsPseudoFsTable[i].magic == magic)
            return pfsMountsPseudoFsTable[i].name;
    }
    if (!fstype)
        return NULL;
    /* The names are the kernel's type names too. */
    for (i = 0; i < G_N_ELEMENTS(pfsMountsPseudoFsTable); i++) {
        if (strcmp(pfsMountsPseudoFsTable[i].name, fstype) == 0)
            return pfsMountsPseudoFsTable[i].name;
    }
    for (i = 0; i < G_N_ELEMENTS(pfsMountsPseudoFsByType); i++) {
        if (strcmp(pfsMountsPseudoFsByType[i], fstype) == 0)
            return pfsMountsPseudoFsByType[i];
    }
    return NULL;
}


/* One line of mountinfo: what we need of it. */
typedef struct {
    guint64 id;
    char *mountPoint;   /* unescaped */
    const char *fstype; /* points into the line */
} pfsMountsEntry;


/* mountinfo writes space, tab, newline and backslash as \ooo. */
static char *
pfsMountsUnescape(const char *s)
{
    GString *out = g_string_sized_new(strlen(s));

    while (*s) {
        if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
            s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
            g_string_append_c(out, (char)(((s[1] - '0') << 6) |
                                          ((s[2] - '0') << 3) | (s[3] - '0')));
            s += 4;
        } else {
            g_string_append_c(out, *s++);
        }
    }
    return g_string_free(out, FALSE);
}


/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE ..."
 * Fills @entry from @fields (the line split at spaces); false if the
 * line is not of that form. */
static bool
pfsMountsParseLine(char **fields, pfsMountsEntry *entry)
{
    size_t n = g_strv_length(fields);
    size_t i;

    if (n < 8 || !g_ascii_string_to_unsigned(fields[0], 10, 0, G_MAXUINT64,
                                             &entry->id, NULL))
        return false;
    for (i = 6; i + 1 < n; i++) {
        if (strcmp(fields[i], "-") == 0) {
            entry->mountPoint = pfsMountsUnescape(fields[4]);
            entry->fstype = fields[i + 1];
            return true;
        }
    }
    return false;
}


static char *
pfsMountsReadTable(int procfd)
{
    PFS_AUTOCLOSE fd = openat(procfd, "../mountinfo", O_RDONLY | O_CLOEXEC);
    g_autoptr(GString) buf = g_string_new(NULL);
    char chunk[4096];
    ssize_t n;

    if (fd < 0) {
        pfsReportSystemError(errno, _("cannot open the helper's mount table"));
        return NULL;
    }
    while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            pfsReportSystemError(errno, _("cannot read the helper's mount table"));
            return NULL;
        }
        g_string_append_len(buf, chunk, n);
    }
    return g_strdup(buf->str);
}


/* The mount id of the mount @fd is on; 0 if the kernel cannot say. */
static guint64
pfsMountsIdOf(int fd)
{
    struct statx stx;

    if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) < 0 ||
        !(stx.stx_mask & STATX_MNT_ID))
        return 0;
    return stx.stx_mnt_id;
}


/* Open the mount point @path as the helper sees it, without following
 * any symlink (mountinfo's paths have none). -1 if it is not there. */
static int
pfsMountsOpen(int rootfd, const char *path)
{
    struct open_how how = {
        .flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
    };

    return syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
}


/* Unmount the mount whose root @fd is, naming it through our own
 * /proc/<pid>/fd/N: exactly the object that was checked. */
static int
pfsMountsDetach(int rootfd, int procfd, int fd, const char *path, const char *name)
{
    char num[16];
    int r;

    g_snprintf(num, sizeof(num), "%d", fd);
    if (fchdir(procfd) < 0) {
        pfsReportSystemError(errno, _("cannot enter /proc/self/fd"));
        return -1;
    }
    r = umount2(num, MNT_DETACH);
    if (fchdir(rootfd) < 0) {
        pfsReportSystemError(errno, _("cannot enter the new root directory"));
        return -1;
    }
    if (r < 0) {
        pfsReportSystemError(errno, _("cannot detach the %s filesystem mounted at '%s' inside the export"),
                             name, path);
        return -1;
    }
    PFS_WARN(_("detached the %s filesystem mounted at '%s' inside the export: kernel interfaces are never shared"),
             name, path);
    return 0;
}


/* One look at every mount: detach the pseudo-filesystems that can be
 * reached, and say in @hidden (if unset) the first one that cannot.
 * Returns how many were detached, or -1. */
static int
pfsMountsDetachPass(int rootfd, int procfd, guint64 rootId, char **hidden)
{
    g_autofree char *table = pfsMountsReadTable(procfd);
    g_auto(GStrv) lines = NULL;
    int detached = 0;
    size_t i;

    if (!table)
        return -1;
    lines = g_strsplit(table, "\n", -1);
    for (i = 0; lines[i]; i++) {
        g_auto(GStrv) fields = g_strsplit(lines[i], " ", -1);
        pfsMountsEntry entry = { 0 };
        g_autofree char *mountPoint = NULL;
        PFS_AUTOCLOSE fd = -1;
        struct statfs sfs;
        const char *name;

        if (lines[i][0] == '\0')
            continue;
        if (!pfsMountsParseLine(fields, &entry)) {
            pfsReportError(_("cannot parse the mount table line '%s'"), lines[i]);
            return -1;
        }
        mountPoint = entry.mountPoint;
        if (entry.id == rootId)
            continue;

        fd = pfsMountsOpen(rootfd, mountPoint);
        if (fd < 0 || pfsMountsIdOf(fd) != entry.id) {
            /* Under another mount, or renamed since: it cannot be
             * reached now, and its type is all we know. */
            if (!*hidden && pfsMountsPseudoFsName(0, entry.fstype))
                *hidden = g_strdup_printf("'%s' (%s)", mountPoint, entry.fstype);
            continue;
        }
        if (fstatfs(fd, &sfs) < 0) {
            pfsReportSystemError(errno, _("cannot read filesystem of the mount at '%s'"),
                                 mountPoint);
            return -1;
        }
        if (!(name = pfsMountsPseudoFsName(sfs.f_type, entry.fstype)))
            continue;
        if (pfsMountsDetach(rootfd, procfd, fd, mountPoint, name) < 0)
            return -1;
        detached++;
    }
    return detached;
}


int
pfsMountsDetachPseudo(int rootfd, int procfd)
{
    guint64 rootId = pfsMountsIdOf(rootfd);
    int retries = PFS_MOUNTS_HIDDEN_RETRIES;
    int total = 0;

    if (rootId == 0) {
        pfsReportError(_("the kernel does not report mount ids (statx STATX_MNT_ID needs Linux 5.8)"));
        return -1;
    }
    for (;;) {
        g_autofree char *hidden = NULL;
        int n = pfsMountsDetachPass(rootfd, procfd, rootId, &hidden);

        if (n < 0)
            return -1;
        total += n;
        /* Detaching one may have uncovered another: look again. Nothing
         * else can mount in our namespace, so this ends. */
        if (n > 0)
            continue;
        if (!hidden)
            return total;
        if (retries-- == 0) {
            pfsReportError(_("a kernel pseudo-filesystem is mounted inside the export at %s, hidden under another mount, and cannot be detached"),
                           hidden);
            return -1;
        }
    }
}
