/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxyfsdifferentialtest.c: the same request scripts against QEMU's
 * virtfs-proxy-helper (Debian 12: /usr/lib/qemu/virtfs-proxy-helper) and
 * ours, on identical fresh exports, must give the same replies and leave
 * the same trees. Where we differ on purpose, a test here shows both
 * sides, and docs/compatibility.rst lists it.
 */
#include "pfsinternal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <grp.h>
#include <limits.h>
#include <unistd.h>

#include "pfstestexport.h"
#include "pfstestutils.h"

typedef struct {
    pfsTestExport *ours;
    pfsTestExport *theirs;
    unsigned int steps;
} diffCtx;

#define CTX(state) ((diffCtx *)*(state))

static const char *
referenceHelper(void)
{
    return pfsTestEnv("PFS_TEST_QEMU_HELPER");
}


static void
seedFile(const char *root, const char *name, const char *content, mode_t mode)
{
    g_autofree char *p = g_build_filename(root, name, NULL);

    pfsTestWriteFile(root, name, content);
    assert_int_equal(chmod(p, mode), 0);
}


static void
seedDir(const char *root, const char *name, mode_t mode, gid_t gid)
{
    g_autofree char *p = g_build_filename(root, name, NULL);

    assert_int_equal(mkdir(p, 0755), 0);
    assert_int_equal(chown(p, 0, gid), 0);
    assert_int_equal(chmod(p, mode), 0);
}


static void
seedLink(const char *root, const char *target, const char *name)
{
    g_autofree char *p = g_build_filename(root, name, NULL);

    assert_int_equal(symlink(target, p), 0);
}


/* The same tree in both exports (only inode numbers and times differ). */
static void
seedTree(const char *root)
{
    g_autofree char *fifo = g_build_filename(root, "fifo", NULL);
    g_autofree char *sock = g_build_filename(root, "sock", NULL);
    g_autofree char *f = g_build_filename(root, "f", NULL);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int s;

    seedFile(root, "f", "hello", 0644);
    seedFile(root, "g", "0123456789", 0600);
    seedFile(root, "exec", "#!/bin/sh\n", 0755);
    seedDir(root, "d", 0755, 0);
    seedFile(root, "d/inner", "x", 0644);
    seedDir(root, "empty", 0755, 0);
    seedDir(root, "full", 0755, 0);
    seedFile(root, "full/x", "x", 0644);
    seedDir(root, "sgid", 02775, 4242);
    seedLink(root, "f", "link");
    seedLink(root, "/f", "abslink");
    seedLink(root, "d", "dirlink");
    seedLink(root, "/d/../d/inner", "dotlink");
    seedLink(root, "nowhere", "dangling");
    seedLink(root, "loop2", "loop1");
    seedLink(root, "loop1", "loop2");
    seedLink(root, "../../../../etc/passwd", "uplink");
    assert_int_equal(mkfifo(fifo, 0644), 0);
    s = socket(AF_UNIX, SOCK_STREAM, 0);
    g_strlcpy(addr.sun_path, sock, sizeof(addr.sun_path));
    assert_int_equal(bind(s, (struct sockaddr *)&addr, sizeof(addr)), 0);
    close(s);
    assert_int_equal(setxattr(f, "user.seed", "seed", 4, 0), 0);
}


static int
setupWithArgs(void **state, const char *const *extra)
{
    diffCtx *ctx = g_new0(diffCtx, 1);
    const char *ref = referenceHelper();

    *state = ctx;
    if (geteuid() != 0 || !ref || access(ref, X_OK) < 0)
        return 0;       /* the test itself skips, with the reason */

    ctx->ours = pfsTestExportNew(NULL, extra);
    ctx->theirs = pfsTestExportNew(ref, NULL);
    seedTree(ctx->ours->root);
    seedTree(ctx->theirs->root);
    return 0;
}


static int
setupDiff(void **state)
{
    return setupWithArgs(state, NULL);
}


static int
setupDiffDevices(void **state)
{
    const char *const extra[] = { "--allow-device-nodes", NULL };

    return setupWithArgs(state, extra);
}


static int teardownDiff(void **state);

/* The helpers inherit our supplementary groups: give them root's group,
 * as a launcher running as root usually has. */
static gid_t savedGroups[NGROUPS_MAX];
static int nsavedGroups = -1;

static int
setupDiffRootGroup(void **state)
{
    gid_t root = 0;

    if (geteuid() == 0) {
        nsavedGroups = getgroups(NGROUPS_MAX, savedGroups);
        if (nsavedGroups < 0 || setgroups(1, &root) < 0)
            return -1;
    }
    return setupWithArgs(state, NULL);
}


static int
teardownDiffRootGroup(void **state)
{
    if (nsavedGroups >= 0 && setgroups(nsavedGroups, savedGroups) < 0)
        return -1;
    nsavedGroups = -1;
    return teardownDiff(state);
}


static int
teardownDiff(void **state)
{
    diffCtx *ctx = *state;

    pfsTestExportFree(ctx->ours);
    pfsTestExportFree(ctx->theirs);
    g_free(ctx);
    return 0;
}


static void
requireReference(void **state)
{
    const char *ref = referenceHelper();

    PFS_TEST_REQUIRE_ROOT();
    PFS_TEST_SKIP_UNLESS(ref && access(ref, X_OK) == 0,
                         "QEMU's virtfs-proxy-helper is not installed (Debian: qemu-system-common)");
}


static void
compareFds(const char *what, int a, int b)
{
    struct stat sa, sb;
    int fa = fcntl(a, F_GETFL);
    int fb = fcntl(b, F_GETFL);
    int mask = O_ACCMODE | O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME |
               O_DIRECTORY | O_PATH | O_LARGEFILE;

    assert_int_equal(fstat(a, &sa), 0);
    assert_int_equal(fstat(b, &sb), 0);
    if ((sa.st_mode != sb.st_mode) || sa.st_uid != sb.st_uid ||
        sa.st_gid != sb.st_gid || sa.st_size != sb.st_size ||
        (fa & mask) != (fb & mask)) {
        print_error("%s: fds differ: ours mode %o uid %u gid %u size %lld flags %o, "
                    "theirs mode %o uid %u gid %u size %lld flags %o\n", what,
                    sa.st_mode, sa.st_uid, sa.st_gid, (long long)sa.st_size, fa & mask,
                    sb.st_mode, sb.st_uid, sb.st_gid, (long long)sb.st_size, fb & mask);
        fail();
    }
}


static void
compareData(const char *what, uint32_t type,
            const pfsTestReply *a, const pfsTestReply *b)
{
    switch ((pfsProxyType)type) {
    case PFS_PROXY_T_LSTAT: {
        struct stat sa, sb;

        assert_int_equal(a->size, PFS_PROXY_STAT_SIZE);
        pfsTestDecodeStat(a->data, &sa);
        pfsTestDecodeStat(b->data, &sb);
        if (sa.st_mode != sb.st_mode || sa.st_uid != sb.st_uid ||
            sa.st_gid != sb.st_gid || sa.st_nlink != sb.st_nlink ||
            sa.st_size != sb.st_size || sa.st_rdev != sb.st_rdev) {
            print_error("%s: stat differs: ours %o %u:%u nlink %lu size %lld, "
                        "theirs %o %u:%u nlink %lu size %lld\n", what,
                        sa.st_mode, sa.st_uid, sa.st_gid, (unsigned long)sa.st_nlink,
                        (long long)sa.st_size, sb.st_mode, sb.st_uid, sb.st_gid,
                        (unsigned long)sb.st_nlink, (long long)sb.st_size);
            fail();
        }
        break;
    }
    case PFS_PROXY_T_STATFS: {
        uint64_t fa[11], fb[11];

        memcpy(fa, a->data, sizeof(fa));
        memcpy(fb, b->data, sizeof(fb));
        /* the same filesystem: type, block size and name length */
        assert_true(fa[0] == fb[0] && fa[1] == fb[1] &&
                    fa[9] == fb[9] && fa[10] == fb[10]);
        break;
    }
    case PFS_PROXY_T_GETVERSION: {
        uint32_t upper;

        /* generations differ per inode, and theirs carries 4 bytes of
         * stack garbage; ours must be zero-extended */
        memcpy(&upper, a->data + 4, 4);
        assert_int_equal(upper, 0);
        break;
    }
    case PFS_PROXY_T_READLINK:
    case PFS_PROXY_T_LGETXATTR:
    case PFS_PROXY_T_LLISTXATTR:
        if (memcmp(a->data, b->data, a->size) != 0) {
            print_error("%s: data differs\n", what);
            fail();
        }
        break;
    case PFS_PROXY_T_SUCCESS:
    case PFS_PROXY_T_ERROR:
    case PFS_PROXY_T_OPEN:
    case PFS_PROXY_T_CREATE:
    case PFS_PROXY_T_MKNOD:
    case PFS_PROXY_T_MKDIR:
    case PFS_PROXY_T_SYMLINK:
    case PFS_PROXY_T_LINK:
    case PFS_PROXY_T_CHMOD:
    case PFS_PROXY_T_CHOWN:
    case PFS_PROXY_T_TRUNCATE:
    case PFS_PROXY_T_UTIME:
    case PFS_PROXY_T_RENAME:
    case PFS_PROXY_T_REMOVE:
    case PFS_PROXY_T_LSETXATTR:
    case PFS_PROXY_T_LREMOVEXATTR:
    case PFS_PROXY_T_LAST:
    default:
        fail();
    }
}


/* Send one request to both helpers and require equivalent replies.
 * Returns our status. */
static int32_t
diffReq(diffCtx *ctx, uint32_t type, const char *fmt, ...)
{
    g_autofree pfsTestMsg *msg = g_new0(pfsTestMsg, 1);
    g_autofree pfsTestReply *a = g_new0(pfsTestReply, 1);
    g_autofree pfsTestReply *b = g_new0(pfsTestReply, 1);
    g_autofree char *what = NULL;
    va_list ap;

    va_start(ap, fmt);
    pfsTestMsgBuildv(msg, type, fmt, ap);
    va_end(ap);
    what = g_strdup_printf("step %u (%s)", ++ctx->steps, pfsProxyTypeTypeToString(type));

    if (pfsTestExchange(ctx->ours->helper, msg, a) < 0) {
        print_error("%s: our helper did not answer\n", what);
        fail();
    }
    if (pfsTestExchange(ctx->theirs->helper, msg, b) < 0) {
        print_error("%s: QEMU's helper did not answer\n", what);
        fail();
    }

    if (a->klass == PFS_PROXY_REPLY_FD) {
        if (a->status != b->status || (a->fd >= 0) != (b->fd >= 0)) {
            print_error("%s: ours %d (fd %d), theirs %d (fd %d)\n", what,
                        a->status, a->fd, b->status, b->fd);
            fail();
        }
        if (a->fd >= 0)
            compareFds(what, a->fd, b->fd);
    } else {
        if (a->type != b->type || a->size != b->size ||
            ((a->klass == PFS_PROXY_REPLY_STATUS || a->type == PFS_PROXY_T_ERROR) &&
             a->status != b->status)) {
            print_error("%s: ours type %u size %u status %d, theirs type %u size %u status %d\n",
                        what, a->type, a->size, a->status, b->type, b->size, b->status);
            fail();
        }
        if (a->klass == PFS_PROXY_REPLY_DATA && a->type == PFS_PROXY_T_SUCCESS)
            compareData(what, type, a, b);
    }
    pfsTestReplyClear(a);
    pfsTestReplyClear(b);
    return a->status;
}


/* ---- comparing the trees left behind ---- */

static void
describeEntry(GString *out, const char *root, const char *rel)
{
    g_autofree char *p = g_build_filename(root, rel, NULL);
    char buf[4096];
    struct stat st;
    ssize_t n;

    assert_int_equal(lstat(p, &st), 0);
    g_string_append_printf(out, "%s: mode %o owner %u:%u", rel, st.st_mode,
                           st.st_uid, st.st_gid);
    if (!S_ISDIR(st.st_mode))
        g_string_append_printf(out, " nlink %lu size %lld", (unsigned long)st.st_nlink,
                               (long long)st.st_size);
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
        g_string_append_printf(out, " rdev %u:%u", major(st.st_rdev), minor(st.st_rdev));
    if (S_ISLNK(st.st_mode) && (n = readlink(p, buf, sizeof(buf) - 1)) >= 0) {
        buf[n] = '\0';
        g_string_append_printf(out, " -> %s", buf);
    }
    if (S_ISREG(st.st_mode)) {
        g_autofree char *content = pfsTestReadFile(p);
        g_autofree char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256,
                                                             content ? content : "", -1);
        g_string_append_printf(out, " sha256 %.16s", sum);
    }
    if ((n = llistxattr(p, buf, sizeof(buf))) > 0) {
        g_autoptr(GPtrArray) names = g_ptr_array_new();
        ssize_t off;
        guint i;

        for (off = 0; off < n; off += strlen(buf + off) + 1)
            g_ptr_array_add(names, buf + off);
        g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
        for (i = 0; i < names->len; i++) {
            char val[256];
            ssize_t vn = lgetxattr(p, g_ptr_array_index(names, i), val, sizeof(val));
            g_string_append_printf(out, " xattr %s=%.*s", (char *)g_ptr_array_index(names, i),
                                   (int)MAX(vn, 0), val);
        }
    }
    g_string_append_c(out, '\n');

    if (S_ISDIR(st.st_mode)) {
        g_autoptr(GDir) dir = g_dir_open(p, 0, NULL);
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        const char *name;
        guint i;

        assert_non_null(dir);
        while ((name = g_dir_read_name(dir)))
            g_ptr_array_add(names, g_strdup(name));
        g_ptr_array_sort(names, (GCompareFunc)pfsTestCompareStrPtr);
        for (i = 0; i < names->len; i++) {
            g_autofree char *child = g_build_filename(rel, g_ptr_array_index(names, i), NULL);
            describeEntry(out, root, child);
        }
    }
}


static void
compareTrees(diffCtx *ctx)
{
    g_autoptr(GString) a = g_string_new(NULL);
    g_autoptr(GString) b = g_string_new(NULL);

    describeEntry(a, ctx->ours->root, ".");
    describeEntry(b, ctx->theirs->root, ".");
    if (strcmp(a->str, b->str) != 0) {
        print_error("the exports differ after %u steps\n--- ours\n%s--- theirs\n%s",
                    ctx->steps, a->str, b->str);
        fail();
    }
}


static void
finishScript(diffCtx *ctx)
{
    int sa, sb;

    compareTrees(ctx);
    sa = pfsTestExportStopHelper(ctx->ours);
    sb = pfsTestExportStopHelper(ctx->theirs);
    assert_true(WIFEXITED(sa) && WEXITSTATUS(sa) == 0);
    assert_true(WIFEXITED(sb) && WEXITSTATUS(sb) == 0);
    pfsTestExportCheckSentinel(ctx->ours);
    pfsTestExportCheckSentinel(ctx->theirs);
    print_message("[   INFO   ] %u requests, identical replies and trees\n", ctx->steps);
}


/* ---- the scripts ---- */

static void
scriptLookups(void **state)
{
    diffCtx *ctx = CTX(state);
    static const char *const paths[] = {
        "/", "//f", "//d", "//d/inner", "//link", "//abslink", "//dirlink",
        "//dirlink/inner", "//dotlink", "//dangling", "//loop1", "//loop1/x",
        "//uplink", "//fifo", "//sock", "//missing", "//f/x", "//d/..", "//d/.",
        "//d/../f", "/..", "//../../f", "f", "d/inner", "//sgid", "//exec",
    };
    size_t i;

    requireReference(state);
    for (i = 0; i < G_N_ELEMENTS(paths); i++) {
        diffReq(ctx, PFS_PROXY_T_LSTAT, "p", paths[i]);
        diffReq(ctx, PFS_PROXY_T_LSTAT, "s", paths[i]);
        diffReq(ctx, PFS_PROXY_T_READLINK, "pd", paths[i], 4096);
        diffReq(ctx, PFS_PROXY_T_READLINK, "pd", paths[i], 4);
        diffReq(ctx, PFS_PROXY_T_READLINK, "pd", paths[i], 2);
        diffReq(ctx, PFS_PROXY_T_STATFS, "p", paths[i]);
        if (strcmp(paths[i], "//fifo") != 0)
            diffReq(ctx, PFS_PROXY_T_GETVERSION, "p", paths[i]);
        diffReq(ctx, PFS_PROXY_T_LLISTXATTR, "dp", 0, paths[i]);
        diffReq(ctx, PFS_PROXY_T_LGETXATTR, "dps", 0, paths[i], "user.seed");
    }
    finishScript(ctx);
}


static void
scriptOpen(void **state)
{
    diffCtx *ctx = CTX(state);
    static const char *const paths[] = {
        "/", "//f", "//g", "//d", "//link", "//abslink", "//dirlink", "//dotlink",
        "//dangling", "//loop1", "//uplink", "//sock", "//missing", "//f/x", "//d/..",
    };
    static const int flags[] = {
        O_RDONLY, O_WRONLY, O_RDWR, O_RDWR | O_APPEND, O_DIRECTORY,
        O_RDONLY | O_NOFOLLOW, O_DIRECTORY | O_NOFOLLOW, O_RDONLY | O_NOATIME,
        O_RDONLY | O_NONBLOCK, O_RDWR | O_SYNC, O_RDONLY | O_LARGEFILE,
    };
    size_t i, j;

    requireReference(state);
    for (i = 0; i < G_N_ELEMENTS(paths); i++) {
        for (j = 0; j < G_N_ELEMENTS(flags); j++)
            diffReq(ctx, PFS_PROXY_T_OPEN, "pd", paths[i], flags[j]);
    }
    /* a FIFO is refused either way (theirs blocks without O_NONBLOCK,
     * so only that form is compared) */
    diffReq(ctx, PFS_PROXY_T_OPEN, "pd", "//fifo", O_RDONLY | O_NONBLOCK);
    diffReq(ctx, PFS_PROXY_T_OPEN, "pd", "//fifo", O_WRONLY | O_NONBLOCK);
    /* last, as it changes the file */
    diffReq(ctx, PFS_PROXY_T_OPEN, "pd", "//g", O_WRONLY | O_TRUNC);
    finishScript(ctx);
}


static void
scriptCreate(void **state)
{
    diffCtx *ctx = CTX(state);
    static const struct {
        const char *path;
        int flags;
        mode_t mode;
        uint32_t uid, gid;
    } cases[] = {
        { "//c1", O_CREAT | O_RDWR, 0644, 1000, 1000 },
        { "//c2", O_CREAT | O_WRONLY | O_EXCL, 0600, 1000, 1001 },
        { "//c3", O_CREAT | O_RDWR, 04755, 1000, 1000 },
        { "//c4", O_CREAT | O_RDWR, 02755, 1000, 1000 },
        { "//c5", O_CREAT | O_RDWR, 06777, 0, 0 },
        { "//c6", O_CREAT | O_RDWR, 0, 1000, 1000 },
        { "//c7", O_CREAT | O_RDWR | O_APPEND, 0640, 2000, 3000 },
        { "//c1", O_CREAT | O_RDWR | O_EXCL, 0644, 1000, 1000 },
        { "//f", O_CREAT | O_RDWR, 0600, 1000, 1000 },
        { "//f", O_CREAT | O_RDWR | O_EXCL, 0600, 1000, 1000 },
        { "//g", O_CREAT | O_WRONLY | O_TRUNC, 0600, 1000, 1000 },
        { "//link", O_CREAT | O_RDWR, 0600, 1000, 1000 },
        { "//link", O_CREAT | O_RDWR | O_EXCL, 0600, 1000, 1000 },
        { "//d", O_CREAT | O_RDWR, 0600, 1000, 1000 },
        { "//d", O_CREAT | O_RDONLY, 0600, 1000, 1000 },
        { "//missing/x", O_CREAT | O_RDWR, 0600, 1000, 1000 },
        { "//f/x", O_CREAT | O_RDWR, 0600, 1000, 1000 },
        { "//d/new", O_CREAT | O_RDWR, 0644, 1000, 1000 },
        { "//sgid/a", O_CREAT | O_RDWR, 0644, 1000, 1000 },
        { "//sgid/b", O_CREAT | O_RDWR, 02755, 1000, 1000 },
        { "//sgid/c", O_CREAT | O_RDWR, 02755, 1000, 4242 },
        { "//sgid/d", O_CREAT | O_RDWR, 02745, 1000, 1000 },
        { "//sgid/e", O_CREAT | O_RDWR, 02755, 0, 0 },
        { "//fifo", O_CREAT | O_RDONLY | O_NONBLOCK, 0600, 0, 0 },
        { "//dirlink/inner2", O_CREAT | O_RDWR, 0644, 1000, 1000 },
        { "//uplink", O_CREAT | O_RDWR | O_EXCL, 0644, 1000, 1000 },
    };
    size_t i;

    requireReference(state);
    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        diffReq(ctx, PFS_PROXY_T_CREATE, "sdddd", cases[i].path, cases[i].flags,
                cases[i].mode, cases[i].uid, cases[i].gid);
        diffReq(ctx, PFS_PROXY_T_LSTAT, "p", cases[i].path);
    }
    finishScript(ctx);
}


static void
scriptMake(void **state)
{
    diffCtx *ctx = CTX(state);
    static const struct {
        uint32_t uid, gid;
        const char *path;
        mode_t mode;
    } dirs[] = {
        { 1000, 1000, "//m1", 0755 },
        { 1000, 1001, "//m2", 0700 },
        { 0, 0, "//m3", 01777 },
        { 1000, 1000, "//m4", 02755 },
        { 1000, 1000, "//m5", 04755 },
        { 1000, 1000, "//m6", 0 },
        { 1000, 1000, "//m1", 0755 },
        { 1000, 1000, "//missing/m", 0755 },
        { 1000, 1000, "//sgid/m", 0755 },
        { 1000, 4242, "//sgid/n", 0750 },
        { 1000, 1000, "//f/m", 0755 },
        { 1000, 1000, "//d/..", 0755 },
        { 1000, 1000, "/", 0755 },
        { 1000, 1000, "//link", 0755 },
    };
    static const struct {
        uint32_t uid, gid;
        const char *path;
        mode_t mode;
    } nodes[] = {
        { 1000, 1000, "//n1", S_IFIFO | 0644 },
        { 1000, 1001, "//n2", S_IFSOCK | 0600 },
        { 1000, 1000, "//n3", S_IFREG | 0640 },
        { 1000, 1000, "//n4", 0640 },
        { 1000, 1000, "//sgid/n5", S_IFIFO | 02775 },
        { 1000, 1000, "//n6", S_IFIFO | 06777 },
        { 1000, 1000, "//n1", S_IFIFO | 0644 },
        { 1000, 1000, "//n7", S_IFCHR | 0644 },
        { 1000, 1000, "//n8", S_IFBLK | 0644 },
        { 1000, 1000, "//missing/n", S_IFIFO | 0644 },
    };
    static const struct {
        uint32_t uid, gid;
        const char *target, *path;
    } links[] = {
        { 1000, 1000, "f", "//s1" },
        { 1000, 1001, "/etc/passwd", "//s2" },
        { 0, 0, "../../..", "//s3" },
        { 1000, 1000, "x", "//sgid/s4" },
        { 1000, 1000, "x", "//s1" },
        { 1000, 1000, "x", "//missing/s" },
        { 1000, 1000, "", "//s5" },
    };
    size_t i;

    requireReference(state);
    for (i = 0; i < G_N_ELEMENTS(dirs); i++) {
        diffReq(ctx, PFS_PROXY_T_MKDIR, "ddsd", dirs[i].uid, dirs[i].gid,
                dirs[i].path, dirs[i].mode);
        diffReq(ctx, PFS_PROXY_T_LSTAT, "p", dirs[i].path);
    }
    for (i = 0; i < G_N_ELEMENTS(nodes); i++) {
        diffReq(ctx, PFS_PROXY_T_MKNOD, "ddsdq", nodes[i].uid, nodes[i].gid,
                nodes[i].path, nodes[i].mode, (uint64_t)makedev(1, 3));
        diffReq(ctx, PFS_PROXY_T_LSTAT, "p", nodes[i].path);
    }
    for (i = 0; i < G_N_ELEMENTS(links); i++) {
        diffReq(ctx, PFS_PROXY_T_SYMLINK, "ddss", links[i].uid, links[i].gid,
                links[i].target, links[i].path);
        diffReq(ctx, PFS_PROXY_T_LSTAT, "p", links[i].path);
    }
    finishScript(ctx);
}


static void
scriptDevicesAllowed(void **state)
{
    diffCtx *ctx = CTX(state);

    requireReference(state);
    /* with --allow-device-nodes we make devices exactly when QEMU's
     * helper does: for uid 0 with gid 0 */
    diffReq(ctx, PFS_PROXY_T_MKNOD, "ddsdq", 0, 0, "//null", S_IFCHR | 0666,
            (uint64_t)makedev(1, 3));
    diffReq(ctx, PFS_PROXY_T_MKNOD, "ddsdq", 0, 0, "//loop", S_IFBLK | 0660,
            (uint64_t)makedev(7, 0));
    diffReq(ctx, PFS_PROXY_T_MKNOD, "ddsdq", 1000, 1000, "//null2", S_IFCHR | 0666,
            (uint64_t)makedev(1, 3));
    diffReq(ctx, PFS_PROXY_T_LSTAT, "p", "//null");
    diffReq(ctx, PFS_PROXY_T_OPEN, "pd", "//null", O_RDWR);
    diffReq(ctx, PFS_PROXY_T_CREATE, "sdddd", "//null", O_CREAT | O_RDWR, 0600, 0, 0);
    finishScript(ctx);
}


static void
scriptMetadata(void **state)
{
    diffCtx *ctx = CTX(state);
    static const char *const paths[] = {
        "//f", "//link", "//abslink", "//d", "//dirlink", "//d/..", "/",
        "//dangling", "//fifo", "//missing", "//exec",
    };
    size_t i;

    requireReference(state);
    for (i = 0; i < G_N_ELEMENTS(paths); i++) {
        const char *p = paths[i];

        diffReq(ctx, PFS_PROXY_T_CHMOD, "pd", p, 0640);
        diffReq(ctx, PFS_PROXY_T_CHMOD, "pd", p, 06755);
        diffReq(ctx, PFS_PROXY_T_CHOWN, "pdd", p, 1000, 1001);
        diffReq(ctx, PFS_PROXY_T_CHOWN, "pdd", p, (uint32_t)-1, 1002);
        diffReq(ctx, PFS_PROXY_T_CHOWN, "pdd", p, (uint32_t)-1, (uint32_t)-1);
        /* chown clears set-id bits: see what is left */
        diffReq(ctx, PFS_PROXY_T_LSTAT, "p", p);
        diffReq(ctx, PFS_PROXY_T_CHMOD, "pd", p, 0755);
        diffReq(ctx, PFS_PROXY_T_TRUNCATE, "pq", p, (uint64_t)3);
        diffReq(ctx, PFS_PROXY_T_TRUNCATE, "pq", p, (uint64_t)100);
        diffReq(ctx, PFS_PROXY_T_TRUNCATE, "pq", p, (uint64_t)-1);
        diffReq(ctx, PFS_PROXY_T_UTIME, "pqqqq", p, (uint64_t)1000, (uint64_t)1,
                (uint64_t)2000, (uint64_t)2);
        diffReq(ctx, PFS_PROXY_T_UTIME, "pqqqq", p, (uint64_t)0, (uint64_t)UTIME_OMIT,
                (uint64_t)0, (uint64_t)UTIME_NOW);
        diffReq(ctx, PFS_PROXY_T_UTIME, "pqqqq", p, (uint64_t)0, (uint64_t)2000000000,
                (uint64_t)0, (uint64_t)0);
        diffReq(ctx, PFS_PROXY_T_LSTAT, "p", p);
    }
    finishScript(ctx);
}


static void
scriptNamespace(void **state)
{
    diffCtx *ctx = CTX(state);

    requireReference(state);
    diffReq(ctx, PFS_PROXY_T_LINK, "ps", "//f", "//hard");
    diffReq(ctx, PFS_PROXY_T_LINK, "ps", "//link", "//hardlink");
    diffReq(ctx, PFS_PROXY_T_LINK, "ps", "//d", "//hardd");
    diffReq(ctx, PFS_PROXY_T_LINK, "ps", "//d/..", "//hardroot");
    diffReq(ctx, PFS_PROXY_T_LINK, "ps", "//f", "//g");
    diffReq(ctx, PFS_PROXY_T_LINK, "ps", "//missing", "//x");
    diffReq(ctx, PFS_PROXY_T_LINK, "ps", "//f", "//missing/x");
    diffReq(ctx, PFS_PROXY_T_LINK, "ps", "//fifo", "//fifo2");
    diffReq(ctx, PFS_PROXY_T_LSTAT, "p", "//f");

    diffReq(ctx, PFS_PROXY_T_RENAME, "ss", "//g", "//g2");
    diffReq(ctx, PFS_PROXY_T_RENAME, "ss", "//g2", "//hard");
    diffReq(ctx, PFS_PROXY_T_RENAME, "ss", "//d", "//full");
    diffReq(ctx, PFS_PROXY_T_RENAME, "ss", "//d", "//empty");
    diffReq(ctx, PFS_PROXY_T_RENAME, "ss", "//empty", "//empty/sub");
    diffReq(ctx, PFS_PROXY_T_RENAME, "ss", "//f", "//full");
    diffReq(ctx, PFS_PROXY_T_RENAME, "ss", "//full", "//f");
    diffReq(ctx, PFS_PROXY_T_RENAME, "ss", "//missing", "//x");
    diffReq(ctx, PFS_PROXY_T_RENAME, "ss", "/", "//x");
    diffReq(ctx, PFS_PROXY_T_RENAME, "ss", "//full/..", "//x");
    diffReq(ctx, PFS_PROXY_T_RENAME, "ss", "//dirlink", "//dirlink2");
    diffReq(ctx, PFS_PROXY_T_RENAME, "ss", "//loop1", "//full/loop1");

    diffReq(ctx, PFS_PROXY_T_REMOVE, "s", "//hard");
    diffReq(ctx, PFS_PROXY_T_REMOVE, "s", "//dirlink2");
    diffReq(ctx, PFS_PROXY_T_REMOVE, "s", "//full");
    diffReq(ctx, PFS_PROXY_T_REMOVE, "s", "//full/x");
    diffReq(ctx, PFS_PROXY_T_REMOVE, "s", "//full");
    diffReq(ctx, PFS_PROXY_T_REMOVE, "s", "//missing");
    diffReq(ctx, PFS_PROXY_T_REMOVE, "s", "/");
    diffReq(ctx, PFS_PROXY_T_REMOVE, "s", "//sgid/..");
    diffReq(ctx, PFS_PROXY_T_REMOVE, "s", "//fifo");
    diffReq(ctx, PFS_PROXY_T_REMOVE, "s", "//sock");
    diffReq(ctx, PFS_PROXY_T_REMOVE, "s", "//f/x");
    finishScript(ctx);
}


static void
scriptXattrs(void **state)
{
    diffCtx *ctx = CTX(state);
    static const char *const paths[] = { "//f", "//d", "/", "//link", "//d/..", "//missing" };
    size_t i;

    requireReference(state);
    for (i = 0; i < G_N_ELEMENTS(paths); i++) {
        const char *p = paths[i];

        diffReq(ctx, PFS_PROXY_T_LSETXATTR, "pssdd", p, "user.a", "value", 5, 0);
        diffReq(ctx, PFS_PROXY_T_LSETXATTR, "pssdd", p, "user.a", "other", 5, XATTR_CREATE);
        diffReq(ctx, PFS_PROXY_T_LSETXATTR, "pssdd", p, "user.b", "other", 5, XATTR_REPLACE);
        diffReq(ctx, PFS_PROXY_T_LSETXATTR, "pssdd", p, "user.b", "prefix", 3, 0);
        diffReq(ctx, PFS_PROXY_T_LSETXATTR, "pssdd", p, "trusted.t", "tv", 2, 0);
        diffReq(ctx, PFS_PROXY_T_LSETXATTR, "pssdd", p, "security.s", "sv", 2, 0);
        diffReq(ctx, PFS_PROXY_T_LSETXATTR, "pssdd", p, "bogus.x", "v", 1, 0);
        diffReq(ctx, PFS_PROXY_T_LSETXATTR, "pssdd", p, "user.empty", "", 0, 0);
        diffReq(ctx, PFS_PROXY_T_LGETXATTR, "dps", 0, p, "user.a");
        diffReq(ctx, PFS_PROXY_T_LGETXATTR, "dps", 5, p, "user.a");
        diffReq(ctx, PFS_PROXY_T_LGETXATTR, "dps", 4, p, "user.a");
        diffReq(ctx, PFS_PROXY_T_LGETXATTR, "dps", 100, p, "user.a");
        diffReq(ctx, PFS_PROXY_T_LGETXATTR, "dps", 100, p, "user.none");
        diffReq(ctx, PFS_PROXY_T_LLISTXATTR, "dp", 0, p);
        diffReq(ctx, PFS_PROXY_T_LLISTXATTR, "dp", 3, p);
        diffReq(ctx, PFS_PROXY_T_LREMOVEXATTR, "ps", p, "user.a");
        diffReq(ctx, PFS_PROXY_T_LREMOVEXATTR, "ps", p, "user.a");
        diffReq(ctx, PFS_PROXY_T_LREMOVEXATTR, "ps", p, "user.empty");
    }
    finishScript(ctx);
}


/* ---- deliberate deviations (docs/compatibility.rst) ---- */

/* @rel exists in the export of QEMU's helper, not in ours. */
static void
assertOnlyTheirsMade(diffCtx *ctx, const char *rel)
{
    g_autofree char *theirs = pfsTestExportPath(ctx->theirs, rel);
    g_autofree char *ours = pfsTestExportPath(ctx->ours, rel);

    assert_int_equal(access(theirs, F_OK), 0);
    assert_int_equal(access(ours, F_OK), -1);
}


/* The same T_CREATE (O_CREAT | O_RDWR) to both helpers: each must hand
 * back an fd, which is closed. */
static void
createOnBoth(diffCtx *ctx, const char *path, mode_t mode,
             uint32_t uid, uint32_t gid)
{
    pfsTestExport *both[] = { ctx->ours, ctx->theirs };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(both); i++) {
        int fd = -1;

        assert_int_equal(pfsTestCreate(both[i]->helper, path, O_CREAT | O_RDWR,
                                       mode, uid, gid, &fd), PFS_PROXY_FD_VALID);
        close(fd);
    }
}


/* A guest cannot create device nodes unless the administrator allowed
 * it (--allow-device-nodes); QEMU's helper lets the guest's root. */
static void
deviationDeviceNodes(void **state)
{
    diffCtx *ctx = CTX(state);

    requireReference(state);
    assert_int_equal(pfsTestMknod(ctx->ours->helper, 0, 0, "//null", S_IFCHR | 0666,
                                  makedev(1, 3)), -EPERM);
    assert_int_equal(pfsTestMknod(ctx->theirs->helper, 0, 0, "//null", S_IFCHR | 0666,
                                  makedev(1, 3)), 0);
}


/* T_OPEN with O_CREAT: QEMU never sends it (it uses T_CREATE); QEMU's
 * helper creates a root-owned file, we refuse. */
static void
deviationOpenCreat(void **state)
{
    diffCtx *ctx = CTX(state);
    int fd = -1;

    requireReference(state);
    assert_int_equal(pfsTestOpen(ctx->ours->helper, "//viaopen", O_CREAT | O_RDWR, &fd), -EINVAL);
    assert_int_equal(pfsTestOpen(ctx->theirs->helper, "//viaopen", O_CREAT | O_RDWR, &fd),
                     PFS_PROXY_FD_VALID);
    close(fd);
    assertOnlyTheirsMade(ctx, "viaopen");
}


/* open(2) with O_CREAT follows a dangling symlink and creates its target;
 * we create nothing through a symlink. */
static void
deviationCreateThroughDanglingLink(void **state)
{
    diffCtx *ctx = CTX(state);
    int fd = -1;

    requireReference(state);
    assert_int_equal(pfsTestCreate(ctx->ours->helper, "//dangling", O_CREAT | O_RDWR,
                                   0644, 1000, 1000, &fd), -ENOENT);
    assert_int_equal(pfsTestCreate(ctx->theirs->helper, "//dangling", O_CREAT | O_RDWR,
                                   0644, 1000, 1000, &fd), PFS_PROXY_FD_VALID);
    close(fd);
    assertOnlyTheirsMade(ctx, "nowhere");
}


/* CVE-2022-0358: QEMU's helper creates with the launcher's supplementary
 * groups (root's group here), so an unprivileged guest user gets a
 * setgid-root executable in a setgid directory of group 0. */
static void
deviationSupplementaryGroups(void **state)
{
    diffCtx *ctx = CTX(state);
    g_autofree char *dirOurs = pfsTestExportPath(ctx->ours, "sgid");
    g_autofree char *dirTheirs = pfsTestExportPath(ctx->theirs, "sgid");
    g_autofree char *fileOurs = pfsTestExportPath(ctx->ours, "sgid/cve");
    g_autofree char *fileTheirs = pfsTestExportPath(ctx->theirs, "sgid/cve");
    struct stat st;

    requireReference(state);
    assert_int_equal(chown(dirOurs, 0, 0), 0);
    assert_int_equal(chmod(dirOurs, 02777), 0);
    assert_int_equal(chown(dirTheirs, 0, 0), 0);
    assert_int_equal(chmod(dirTheirs, 02777), 0);

    createOnBoth(ctx, "//sgid/cve", 02755, 1000, 1000);
    assert_int_equal(lstat(fileTheirs, &st), 0);
    assert_true((st.st_mode & S_ISGID) && st.st_gid == 0);
    assert_int_equal(lstat(fileOurs, &st), 0);
    assert_false(st.st_mode & S_ISGID);
    assert_int_equal(st.st_gid, 0);
}


/* A create by uid 0 with another gid leaves QEMU's helper without its
 * capabilities (and a later create kills it); ours keeps working. */
static void
deviationRootWithOtherGroup(void **state)
{
    diffCtx *ctx = CTX(state);

    requireReference(state);
    createOnBoth(ctx, "//r", 0644, 0, 1234);
    assert_int_equal(pfsTestChown(ctx->ours->helper, "//f", 1000, 1000), 0);
    assert_int_equal(pfsTestChown(ctx->theirs->helper, "//f", 1000, 1000), -EPERM);
}


#define S(fn) cmocka_unit_test_setup_teardown(fn, setupDiff, teardownDiff)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        S(scriptLookups),
        S(scriptOpen),
        S(scriptCreate),
        S(scriptMake),
        cmocka_unit_test_setup_teardown(scriptDevicesAllowed, setupDiffDevices, teardownDiff),
        S(scriptMetadata),
        S(scriptNamespace),
        S(scriptXattrs),
        S(deviationDeviceNodes),
        S(deviationOpenCreat),
        S(deviationCreateThroughDanglingLink),
        cmocka_unit_test_setup_teardown(deviationSupplementaryGroups,
                                        setupDiffRootGroup, teardownDiffRootGroup),
        S(deviationRootWithOtherGroup),
    };

    return cmocka_run_group_tests_name("proxyfs differential", tests, NULL, NULL);
}
