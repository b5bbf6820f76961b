/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxyfsfuzzseeds.c: write the seed inputs of the proxy fuzzer
 *
 * Usage: proxyfsfuzzseeds DIR. Each seed is a stream of well-formed
 * requests against the names proxyfsfuzz.c puts in its export: one seed
 * per request type and a few sessions shaped like a guest's. The fuzzer
 * grows the corpus from them; tests/fuzz/corpus is that corpus,
 * minimised (see build-aux/fuzz.sh).
 */
#include "pfsinternal.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "pfstestclient.h"

typedef struct _pfsFuzzSeed pfsFuzzSeed;
struct _pfsFuzzSeed {
    GByteArray *bytes;
    pfsTestMsg msg;
};


static void
pfsFuzzSeedAdd(pfsFuzzSeed *seed, uint32_t type, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    pfsTestMsgBuildv(&seed->msg, type, fmt, ap);
    va_end(ap);
    g_byte_array_append(seed->bytes, seed->msg.buf, seed->msg.len);
}


static void
pfsFuzzSeedWrite(pfsFuzzSeed *seed, const char *dir, const char *name)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *path = g_build_filename(dir, name, NULL);

    if (!g_file_set_contents(path, (const char *)seed->bytes->data,
                             seed->bytes->len, &err)) {
        fprintf(stderr, "proxyfsfuzzseeds: %s\n", err->message);
        exit(EXIT_FAILURE);
    }
    g_byte_array_set_size(seed->bytes, 0);
}


int
main(int argc, char **argv)
{
    g_autofree pfsFuzzSeed *seed = g_new0(pfsFuzzSeed, 1);
    const char *dir;
    /* names in the fuzzer's export, and spellings that try to leave it */
    static const char *const paths[] = {
        "file", "dir", "dir/sub", "sgid", "link", "abs", "dir/out",
        "magic", "fifo", "", ".", "..", "../outside/sentinel",
        "/../outside/sentinel", "abs/etc", "dir/../..", "magic/etc",
    };
    size_t i;

    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return EXIT_FAILURE;
    }
    dir = argv[1];
    if (g_mkdir_with_parents(dir, 0755) < 0) {
        perror(dir);
        return EXIT_FAILURE;
    }
    seed->bytes = g_byte_array_new();

    /* one seed per request type, each over every path spelling */
    for (i = 0; i < G_N_ELEMENTS(paths); i++) {
        const char *p = paths[i];

        pfsFuzzSeedAdd(seed, PFS_PROXY_T_OPEN, "pd", p, O_RDONLY);
        pfsFuzzSeedAdd(seed, PFS_PROXY_T_OPEN, "pd", p, O_RDWR | O_TRUNC);
        pfsFuzzSeedAdd(seed, PFS_PROXY_T_LSTAT, "p", p);
        pfsFuzzSeedAdd(seed, PFS_PROXY_T_READLINK, "pd", p, 256);
        pfsFuzzSeedAdd(seed, PFS_PROXY_T_STATFS, "p", p);
        pfsFuzzSeedAdd(seed, PFS_PROXY_T_LGETXATTR, "dps", 0, p, "user.fuzz");
        pfsFuzzSeedAdd(seed, PFS_PROXY_T_LGETXATTR, "dps", 64, p, "user.fuzz");
        pfsFuzzSeedAdd(seed, PFS_PROXY_T_LLISTXATTR, "dp", 0, p);
        pfsFuzzSeedAdd(seed, PFS_PROXY_T_LLISTXATTR, "dp", 64, p);
        pfsFuzzSeedAdd(seed, PFS_PROXY_T_GETVERSION, "p", p);
    }
    pfsFuzzSeedWrite(seed, dir, "seed-read-only");

    for (i = 0; i < G_N_ELEMENTS(paths); i++) {
        const char *p = paths[i];

        pfsFuzzSeedAdd(seed, PFS_PROXY_T_CHMOD, "pd", p, 04755);
        pfsFuzzSeedAdd(seed, PFS_PROXY_T_CHOWN, "pdd", p, 1000, 0);
        pfsFuzzSeedAdd(seed, PFS_PROXY_T_TRUNCATE, "pq", p, (uint64_t)1);
        pfsFuzzSeedAdd(seed, PFS_PROXY_T_UTIME, "pqqqq", p,
                       (uint64_t)1, (uint64_t)2, (uint64_t)0, (uint64_t)UTIME_NOW);
        pfsFuzzSeedAdd(seed, PFS_PROXY_T_LSETXATTR, "pssdd", p, "user.fuzz", "x", 1, 0);
        pfsFuzzSeedAdd(seed, PFS_PROXY_T_LREMOVEXATTR, "ps", p, "user.fuzz");
    }
    pfsFuzzSeedWrite(seed, dir, "seed-change-attributes");

    for (i = 0; i < G_N_ELEMENTS(paths); i++) {
        g_autofree char *below = g_strdup_printf("%s/new", paths[i]);

        pfsFuzzSeedAdd(seed, PFS_PROXY_T_CREATE, "sdddd", below,
                       O_RDWR | O_CREAT | O_EXCL, 02755, 1000, 1000);
        pfsFuzzSeedAdd(seed, PFS_PROXY_T_MKDIR, "ddsd", 1000, 0, below, 03777);
        pfsFuzzSeedAdd(seed, PFS_PROXY_T_MKNOD, "ddsdq", 0, 0, below,
                       S_IFCHR | 0600, (uint64_t)makedev(1, 3));
        pfsFuzzSeedAdd(seed, PFS_PROXY_T_SYMLINK, "ddss", 0, 0, "/", below);
        pfsFuzzSeedAdd(seed, PFS_PROXY_T_LINK, "ps", paths[i], "hard");
        pfsFuzzSeedAdd(seed, PFS_PROXY_T_RENAME, "ss", paths[i], "renamed");
        pfsFuzzSeedAdd(seed, PFS_PROXY_T_RENAME, "ss", "renamed", paths[i]);
        pfsFuzzSeedAdd(seed, PFS_PROXY_T_REMOVE, "s", below);
    }
    pfsFuzzSeedWrite(seed, dir, "seed-create-remove");

    /* a guest's untar: directories, files, owners, modes, times, xattrs */
    pfsFuzzSeedAdd(seed, PFS_PROXY_T_MKDIR, "ddsd", 1000, 1000, "sgid/t", 0755);
    pfsFuzzSeedAdd(seed, PFS_PROXY_T_CREATE, "sdddd", "sgid/t/f",
                   O_WRONLY | O_CREAT | O_EXCL | O_TRUNC, 0644, 1000, 1000);
    pfsFuzzSeedAdd(seed, PFS_PROXY_T_LSETXATTR, "pssdd", "sgid/t/f",
                   "security.capability", "cap", 3, XATTR_CREATE);
    pfsFuzzSeedAdd(seed, PFS_PROXY_T_CHOWN, "pdd", "sgid/t/f", 0, 0);
    pfsFuzzSeedAdd(seed, PFS_PROXY_T_CHMOD, "pd", "sgid/t/f", 02755);
    pfsFuzzSeedAdd(seed, PFS_PROXY_T_UTIME, "pqqqq", "sgid/t/f",
                   (uint64_t)0, (uint64_t)UTIME_OMIT, (uint64_t)1, (uint64_t)0);
    pfsFuzzSeedAdd(seed, PFS_PROXY_T_SYMLINK, "ddss", 1000, 1000, "f", "sgid/t/l");
    pfsFuzzSeedAdd(seed, PFS_PROXY_T_MKNOD, "ddsdq", 1000, 1000, "sgid/t/p",
                   S_IFIFO | 0644, (uint64_t)0);
    pfsFuzzSeedAdd(seed, PFS_PROXY_T_OPEN, "pd", "sgid/t/p", O_RDONLY);
    pfsFuzzSeedAdd(seed, PFS_PROXY_T_RENAME, "ss", "sgid/t", "dir/t");
    pfsFuzzSeedAdd(seed, PFS_PROXY_T_LSTAT, "p", "dir/t/f");
    pfsFuzzSeedAdd(seed, PFS_PROXY_T_REMOVE, "s", "dir/t/f");
    pfsFuzzSeedAdd(seed, PFS_PROXY_T_REMOVE, "s", "dir/t/l");
    pfsFuzzSeedAdd(seed, PFS_PROXY_T_REMOVE, "s", "dir/t/p");
    pfsFuzzSeedAdd(seed, PFS_PROXY_T_REMOVE, "s", "dir/t");
    pfsFuzzSeedWrite(seed, dir, "seed-untar");

    /* an O_TMPFILE create, then a lookup of what it did */
    pfsFuzzSeedAdd(seed, PFS_PROXY_T_CREATE, "sdddd", "dir",
                   O_RDWR | O_TMPFILE, 0600, 0, 0);
    pfsFuzzSeedAdd(seed, PFS_PROXY_T_LLISTXATTR, "dp", 4096, "dir");
    pfsFuzzSeedWrite(seed, dir, "seed-tmpfile");

    g_byte_array_unref(seed->bytes);
    return EXIT_SUCCESS;
}
