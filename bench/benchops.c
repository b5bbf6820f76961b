/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * benchops.c: the operations, one iteration each
 *
 * Every operation but two is one request on the benchmark file (or on a
 * fresh name, removed again), with arguments that alternate so that
 * each request changes something: the table says which request, and
 * pfsBenchIteration() which arguments. The other two are xattr-get,
 * which also checks the reply's length, and the mixed workload, a
 * guest's tar x, find, git status and rm -rf of a small tree.
 */
#include "pfsinternal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

/* The shape of one cycle of the mixed workload (see pfsBenchStepMixed) */
#define PFS_BENCH_MIX_DIRS 3
#define PFS_BENCH_MIX_FILES 8


/* Send @req to @t, whatever it is (see pfsBenchLocal, pfsBenchRemote). */
static int32_t
pfsBenchDo(pfsBenchTarget *t, const pfsBenchReq *req)
{
    t->byType[req->type]++;
    if (t->kind == PFS_BENCH_TARGET_LOCAL)
        return pfsBenchLocal(t, req);
    return pfsBenchRemote(t, req);
}


/* A request that takes nothing but a path: T_LSTAT, T_REMOVE, T_READLINK. */
static int32_t
pfsBenchDoPath(pfsBenchTarget *t, pfsProxyType type, const char *rel)
{
    pfsBenchReq req = { .type = type, .path = rel };

    return pfsBenchDo(t, &req);
}


static int32_t
pfsBenchDoOpen(pfsBenchTarget *t, const char *rel, int flags)
{
    pfsBenchReq req = { .type = PFS_PROXY_T_OPEN, .path = rel, .flags = flags };

    return pfsBenchDo(t, &req);
}


/* The creation of @rel as @type (T_CREATE, T_MKDIR or T_SYMLINK to
 * @target), owned by the guest's user. */
static void
pfsBenchMakeRequest(pfsBenchRun *run, pfsProxyType type, const char *rel,
                    const char *target, pfsBenchReq *req)
{
    *req = (pfsBenchReq){ .type = type, .path = rel, .uid = run->uid, .gid = run->gid };
    if (type == PFS_PROXY_T_CREATE) {
        req->flags = O_WRONLY | O_CREAT | O_EXCL;
        req->mode = 0644;
    } else if (type == PFS_PROXY_T_MKDIR) {
        req->mode = 0755;
    } else {
        req->other = target;
    }
}


/* What iteration @i of operation @op sends. */
static void
pfsBenchIteration(pfsBenchRun *run, const pfsBenchOp *op, guint64 i, pfsBenchReq *req)
{
    *req = (pfsBenchReq){ .type = op->type, .path = run->file };

    switch (op->type) {
    case PFS_PROXY_T_OPEN:
        req->flags = O_RDONLY;
        break;
    case PFS_PROXY_T_CREATE:
    case PFS_PROXY_T_MKDIR:
    case PFS_PROXY_T_SYMLINK:
        /* removed again by the step */
        pfsBenchMakeRequest(run, op->type, run->fresh, PFS_BENCH_LINK_TARGET, req);
        break;
    case PFS_PROXY_T_CHMOD:
        req->mode = (i & 1) ? 0640 : 0644;
        break;
    case PFS_PROXY_T_CHOWN:
        req->uid = run->uid;
        req->gid = (i & 1) ? run->gidAlt : run->gid;
        break;
    case PFS_PROXY_T_TRUNCATE:
        req->num = (i & 1) ? 4096 : 0;
        break;
    case PFS_PROXY_T_UTIME:
        req->num = 1700000000 + (int64_t)i;
        req->nsec = (int64_t)(i % 1000000000);
        break;
    case PFS_PROXY_T_RENAME:
        /* back and forth */
        req->path = (i & 1) ? run->renB : run->renA;
        req->other = (i & 1) ? run->renA : run->renB;
        break;
    case PFS_PROXY_T_READLINK:
        req->path = run->link;
        break;
    case PFS_PROXY_T_LGETXATTR:
        /* size 0: the probe (xattr-get has a step of its own) */
    case PFS_PROXY_T_LSTAT:
    case PFS_PROXY_T_STATFS:
    case PFS_PROXY_T_LSETXATTR:
        break;
    case PFS_PROXY_T_REMOVE:
    PFS_BENCH_CASE_UNSENT:
    default:
        break;
    }
}


static int
pfsBenchStepRequest(pfsBenchRun *run, pfsBenchTarget *t, const pfsBenchOp *op, guint64 i)
{
    pfsBenchReq req;

    pfsBenchIteration(run, op, i, &req);
    PFS_BENCH_EXPECT(t, op->label, pfsBenchDo(t, &req), op->want);
    /* what it made goes again, for the next iteration to make */
    if (req.path == run->fresh)
        PFS_BENCH_EXPECT(t, "remove", pfsBenchDoPath(t, PFS_PROXY_T_REMOVE, run->fresh), 0);
    return 1;
}


static int
pfsBenchStepXattrGet(pfsBenchRun *run, pfsBenchTarget *t, guint64 i)
{
    pfsBenchReq req = {
        .type = PFS_PROXY_T_LGETXATTR, .path = run->file, .size = PFS_BENCH_XATTR_LEN,
    };

    PFS_BENCH_EXPECT(t, "xattr get", pfsBenchDo(t, &req), 0);
    if (t->kind != PFS_BENCH_TARGET_LOCAL && t->reply->size != 2 + PFS_BENCH_XATTR_LEN)
        return pfsBenchUnexpected(t, "xattr get (reply length)", t->reply->size,
                                  2 + PFS_BENCH_XATTR_LEN);
    return 1;
}


int
pfsBenchStep(pfsBenchRun *run, pfsBenchTarget *t, const pfsBenchOp *op, guint64 i)
{
    if (op->step)
        return op->step(run, t, i);
    return pfsBenchStepRequest(run, t, op, i);
}


/* Entry @f of a directory of the mixed tree: its files, then its symlink. */
static void
pfsBenchMixEntry(char *path, size_t len, const char *dir, int f)
{
    if (f < PFS_BENCH_MIX_FILES)
        g_snprintf(path, len, "%s/f%d.c", dir, f);
    else
        g_snprintf(path, len, "%s/link", dir);
}


/* tar x of one entry: lookup (ENOENT), the creation, getattr. */
static int
pfsBenchMixMake(pfsBenchRun *run, pfsBenchTarget *t, pfsProxyType type,
                const char *what, const char *path)
{
    pfsBenchReq req;

    pfsBenchMakeRequest(run, type, path, "f0.c", &req);
    PFS_BENCH_EXPECT(t, "mixed: lookup", pfsBenchDoPath(t, PFS_PROXY_T_LSTAT, path), -ENOENT);
    PFS_BENCH_EXPECT(t, what, pfsBenchDo(t, &req), 0);
    PFS_BENCH_EXPECT(t, "mixed: getattr", pfsBenchDoPath(t, PFS_PROXY_T_LSTAT, path), 0);
    return 0;
}


static int32_t
pfsBenchMixUtime(pfsBenchTarget *t, const char *path)
{
    pfsBenchReq req = { .type = PFS_PROXY_T_UTIME, .path = path, .num = 1700000000 };

    return pfsBenchDo(t, &req);
}


/* A walk and one more request (@type) of every entry of @dir. */
static int
pfsBenchMixEach(pfsBenchTarget *t, const char *dir, pfsProxyType type, const char *what)
{
    char path[PATH_MAX];
    int f;

    for (f = 0; f <= PFS_BENCH_MIX_FILES; f++) {
        pfsBenchMixEntry(path, sizeof(path), dir, f);
        PFS_BENCH_EXPECT(t, "mixed: walk", pfsBenchDoPath(t, PFS_PROXY_T_LSTAT, path), 0);
        PFS_BENCH_EXPECT(t, what, pfsBenchDoPath(t, type, path), 0);
    }
    return 0;
}


/* One cycle of a guest unpacking, searching and checking a small tree,
 * request for request what QEMU 7.2 sends for it (docs/performance.rst
 * has the table): with cache=none every walk and every getattr of a
 * path fid is a T_LSTAT, data moves over fds QEMU holds (no requests),
 * and directory reads go to an fd from T_OPEN.
 *
 *   tar x:      per entry: lookup (ENOENT), create, getattr; files and
 *               directories then get their times (T_UTIME)
 *   find:       open each directory; walk + getattr of every entry
 *   git status: walk + getattr of every entry, open one file per
 *               directory (re-hash), readlink each symlink
 *   rm -rf:     open each directory; walk + remove every entry
 *
 * Returns the number of requests, which is what the workload's rate
 * counts. */
int
pfsBenchStepMixed(pfsBenchRun *run, pfsBenchTarget *t, guint64 i)
{
    char dir[PATH_MAX];
    char path[PATH_MAX];
    guint64 before = t->plain + t->fds;
    int d, f;

    /* tar x */
    for (d = 0; d < PFS_BENCH_MIX_DIRS; d++) {
        g_snprintf(dir, sizeof(dir), "%s/d%d", run->mix, d);
        if (pfsBenchMixMake(run, t, PFS_PROXY_T_MKDIR, "mixed: mkdir", dir) < 0)
            return -1;
        for (f = 0; f <= PFS_BENCH_MIX_FILES; f++) {
            bool file = f < PFS_BENCH_MIX_FILES;

            pfsBenchMixEntry(path, sizeof(path), dir, f);
            if (pfsBenchMixMake(run, t, file ? PFS_PROXY_T_CREATE : PFS_PROXY_T_SYMLINK,
                                file ? "mixed: create" : "mixed: symlink", path) < 0)
                return -1;
            if (file)
                PFS_BENCH_EXPECT(t, "mixed: utime", pfsBenchMixUtime(t, path), 0);
        }
    }
    for (d = 0; d < PFS_BENCH_MIX_DIRS; d++) {
        g_snprintf(dir, sizeof(dir), "%s/d%d", run->mix, d);
        PFS_BENCH_EXPECT(t, "mixed: utime", pfsBenchMixUtime(t, dir), 0);
    }

    /* find */
    PFS_BENCH_EXPECT(t, "mixed: opendir", pfsBenchDoOpen(t, run->mix, O_RDONLY | O_DIRECTORY), 0);
    for (d = 0; d < PFS_BENCH_MIX_DIRS; d++) {
        g_snprintf(dir, sizeof(dir), "%s/d%d", run->mix, d);
        PFS_BENCH_EXPECT(t, "mixed: walk", pfsBenchDoPath(t, PFS_PROXY_T_LSTAT, dir), 0);
        PFS_BENCH_EXPECT(t, "mixed: getattr", pfsBenchDoPath(t, PFS_PROXY_T_LSTAT, dir), 0);
        PFS_BENCH_EXPECT(t, "mixed: opendir", pfsBenchDoOpen(t, dir, O_RDONLY | O_DIRECTORY), 0);
        if (pfsBenchMixEach(t, dir, PFS_PROXY_T_LSTAT, "mixed: getattr") < 0)
            return -1;
    }

    /* git status */
    for (d = 0; d < PFS_BENCH_MIX_DIRS; d++) {
        g_snprintf(dir, sizeof(dir), "%s/d%d", run->mix, d);
        for (f = 0; f < PFS_BENCH_MIX_FILES; f++) {
            pfsBenchMixEntry(path, sizeof(path), dir, f);
            PFS_BENCH_EXPECT(t, "mixed: walk", pfsBenchDoPath(t, PFS_PROXY_T_LSTAT, path), 0);
            PFS_BENCH_EXPECT(t, "mixed: getattr", pfsBenchDoPath(t, PFS_PROXY_T_LSTAT, path), 0);
            if (f == 0)
                PFS_BENCH_EXPECT(t, "mixed: open", pfsBenchDoOpen(t, path, O_RDONLY), 0);
        }
        pfsBenchMixEntry(path, sizeof(path), dir, f);
        PFS_BENCH_EXPECT(t, "mixed: walk", pfsBenchDoPath(t, PFS_PROXY_T_LSTAT, path), 0);
        PFS_BENCH_EXPECT(t, "mixed: readlink", pfsBenchDoPath(t, PFS_PROXY_T_READLINK, path), 0);
    }

    /* rm -rf */
    for (d = 0; d < PFS_BENCH_MIX_DIRS; d++) {
        g_snprintf(dir, sizeof(dir), "%s/d%d", run->mix, d);
        PFS_BENCH_EXPECT(t, "mixed: opendir", pfsBenchDoOpen(t, dir, O_RDONLY | O_DIRECTORY), 0);
        if (pfsBenchMixEach(t, dir, PFS_PROXY_T_REMOVE, "mixed: remove") < 0)
            return -1;
        PFS_BENCH_EXPECT(t, "mixed: walk", pfsBenchDoPath(t, PFS_PROXY_T_LSTAT, dir), 0);
        PFS_BENCH_EXPECT(t, "mixed: remove", pfsBenchDoPath(t, PFS_PROXY_T_REMOVE, dir), 0);
    }

    return (int)(t->plain + t->fds - before);
}


const pfsBenchOp pfsBenchOps[] = {
    { "lstat", "T_LSTAT of a file", "lstat", false, PFS_PROXY_T_LSTAT, 0, NULL },
    { "open", "T_OPEN O_RDONLY, the fd received and closed", "open", false,
      PFS_PROXY_T_OPEN, 0, NULL },
    { "create", "T_CREATE O_EXCL (fd received and closed) + T_REMOVE", "create", false,
      PFS_PROXY_T_CREATE, 0, NULL },
    { "mkdir", "T_MKDIR + T_REMOVE", "mkdir", false, PFS_PROXY_T_MKDIR, 0, NULL },
    { "symlink", "T_SYMLINK + T_REMOVE", "symlink", false, PFS_PROXY_T_SYMLINK, 0, NULL },
    { "chmod", "T_CHMOD, alternating 0644/0640", "chmod", false, PFS_PROXY_T_CHMOD, 0, NULL },
    { "chown", "T_CHOWN, alternating the group", "chown", false, PFS_PROXY_T_CHOWN, 0, NULL },
    { "truncate", "T_TRUNCATE, alternating 0/4096 bytes", "truncate", false,
      PFS_PROXY_T_TRUNCATE, 0, NULL },
    { "utime", "T_UTIME with explicit times", "utime", false, PFS_PROXY_T_UTIME, 0, NULL },
    { "rename", "T_RENAME, back and forth (one rename per operation)", "rename", false,
      PFS_PROXY_T_RENAME, 0, NULL },
    { "readlink", "T_READLINK with QEMU's 4096-byte buffer", "readlink", false,
      PFS_PROXY_T_READLINK, 0, NULL },
    { "statfs", "T_STATFS of a file", "statfs", false, PFS_PROXY_T_STATFS, 0, NULL },
    { "xattr-probe", "T_LGETXATTR size 0 (the length of a 32-byte user xattr)",
      "xattr size probe", true, PFS_PROXY_T_LGETXATTR, PFS_BENCH_XATTR_LEN, NULL },
    { "xattr-get", "T_LGETXATTR of a 32-byte user xattr", "xattr get", true,
      PFS_PROXY_T_LGETXATTR, 0, pfsBenchStepXattrGet },
    { "xattr-set", "T_LSETXATTR of a 32-byte user xattr", "xattr set", true,
      PFS_PROXY_T_LSETXATTR, 0, NULL },
    { "mixed", "a guest's tar x, find, git status, rm -rf of 24 files (rate in requests)",
      "mixed", false, PFS_PROXY_T_SUCCESS, 0, pfsBenchStepMixed },
};

const size_t pfsBenchNOps = G_N_ELEMENTS(pfsBenchOps);


/* --ops, less what the filesystem cannot do. */
int
pfsBenchSelectOps(pfsBenchRun *run, GPtrArray *ops)
{
    g_auto(GStrv) names = NULL;
    size_t i, j;

    if (!run->opts->ops) {
        for (i = 0; i < G_N_ELEMENTS(pfsBenchOps); i++)
            g_ptr_array_add(ops, (gpointer)&pfsBenchOps[i]);
    } else {
        names = g_strsplit(run->opts->ops, ",", -1);
        for (i = 0; names[i]; i++) {
            const char *name = g_strstrip(names[i]);
            bool found = false;

            if (!name[0])
                continue;
            for (j = 0; j < G_N_ELEMENTS(pfsBenchOps); j++) {
                if (strcmp(name, pfsBenchOps[j].name) == 0) {
                    g_ptr_array_add(ops, (gpointer)&pfsBenchOps[j]);
                    found = true;
                }
            }
            if (!found) {
                fprintf(stderr, "proxyfsbench: unknown operation '%s' (see --list-ops)\n", name);
                return -1;
            }
        }
    }

    for (i = 0; i < ops->len; ) {
        const pfsBenchOp *op = g_ptr_array_index(ops, i);

        if (op->xattr && !run->xattrs) {
            printf("  skipped     %s: the filesystem does not take user xattrs\n", op->name);
            g_ptr_array_remove_index(ops, i);
        } else {
            i++;
        }
    }
    if (ops->len == 0) {
        fprintf(stderr, "proxyfsbench: no operation to run\n");
        return -1;
    }
    return 0;
}
