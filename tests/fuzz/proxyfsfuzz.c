/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxyfsfuzz.c: feed arbitrary request streams to the helper's decoder
 * and dispatcher, against a throwaway export
 *
 * An input is what a client would write to the socket: frames of an
 * 8-byte header and a payload. Each frame the server would accept is
 * handled by pfsProxyServerHandle() and its reply sent with
 * pfsProxyServerSend() to a socketpair that is drained after every reply
 * (so passed fds are received and closed, as QEMU would).
 *
 * Besides the sanitizers' findings, an input is a crash when it
 *  - changes anything outside the export (a sentinel file next to it and
 *    the directories around it are checked after every input), or
 *  - leaves an fd open in the helper.
 *
 * Built twice: with libFuzzer (-Dfuzzing=true, clang) for campaigns, and
 * with the standalone driver in fuzzreplay.c, which CI uses to replay
 * the committed corpus under ASan and UBSan.
 */
#include "pfsinternal.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "pfsfile.h"
#include "pfslog.h"
#include "proxyfs_export.h"
#include "proxyfs_server.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct _pfsFuzzWorld pfsFuzzWorld;
struct _pfsFuzzWorld {
    char *top;              /* holds export/ and outside/ */
    char *root;             /* the export */
    char *outside;
    char *sentinel;
    struct stat topSt, outsideSt, sentinelSt, hostRootSt;
    pfsProxyExport exp;
    pfsProxyServer *srv;
    int peer;               /* the client's end of the socketpair */
    int cwdfd;              /* the xattr requests chdir; this is restored */
    uint8_t drain[PFS_PROXY_MAX_FRAME];
};

static pfsFuzzWorld world;


static void G_GNUC_NORETURN
pfsFuzzDie(const char *what)
{
    fprintf(stderr, "proxyfsfuzz: %s: %s\n", what, g_strerror(errno));
    abort();
}


static int
pfsFuzzRemoveEntry(const char *path,
                   const struct stat *st G_GNUC_UNUSED,
                   int type,
                   struct FTW *ftw)
{
    if (ftw->level == 0)
        return 0;
    if (type == FTW_DP || type == FTW_D || type == FTW_DNR)
        return rmdir(path) < 0 ? -1 : 0;
    return unlink(path) < 0 ? -1 : 0;
}


/* Make every directory under @path searchable and writable again (an
 * input may have chmodded one to 0), so that the tree can be removed. */
static int
pfsFuzzOpenEntry(const char *path,
                 const struct stat *st,
                 int type G_GNUC_UNUSED,
                 struct FTW *ftw G_GNUC_UNUSED)
{
    if (S_ISDIR(st->st_mode) && (st->st_mode & 0700) != 0700)
        chmod(path, 0700);
    return 0;
}


/* The files an input starts from: one of each kind, an xattr, a setgid
 * directory and symlinks that point out of the export. */
static void
pfsFuzzPopulate(void)
{
    int rootfd = open(world.root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    int fd;

    if (rootfd < 0)
        pfsFuzzDie("open export");
    /* nftw visits a directory before its entries, so one pass reopens
     * every directory an input left at mode 0 */
    nftw(world.root, pfsFuzzOpenEntry, 16, FTW_PHYS);
    if (nftw(world.root, pfsFuzzRemoveEntry, 16, FTW_PHYS | FTW_DEPTH) < 0)
        pfsFuzzDie("empty the export");
    chmod(world.root, 0755);

    if ((fd = openat(rootfd, "file", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0 ||
        pfsSafeWrite(fd, "content\n", 8) < 0)
        pfsFuzzDie("create file");
    fsetxattr(fd, "user.fuzz", "value", 5, 0);
    close(fd);
    if (mkdirat(rootfd, "dir", 0755) < 0 ||
        mkdirat(rootfd, "dir/sub", 0755) < 0 ||
        mkdirat(rootfd, "sgid", 02775) < 0 ||
        fchmodat(rootfd, "sgid", 02775, 0) < 0 ||
        symlinkat("file", rootfd, "link") < 0 ||
        symlinkat("/", rootfd, "abs") < 0 ||
        symlinkat("../outside/sentinel", rootfd, "dir/out") < 0 ||
        symlinkat("/proc/self/root", rootfd, "magic") < 0 ||
        mknodat(rootfd, "fifo", S_IFIFO | 0644, 0) < 0)
        pfsFuzzDie("populate the export");
    close(rootfd);
}


static void
pfsFuzzSnapshot(void)
{
    if (lstat(world.top, &world.topSt) < 0 ||
        lstat(world.outside, &world.outsideSt) < 0 ||
        lstat(world.sentinel, &world.sentinelSt) < 0 ||
        stat("/", &world.hostRootSt) < 0)
        pfsFuzzDie("stat outside");
}


static bool
pfsFuzzSameStat(const struct stat *a, const struct stat *b)
{
    return a->st_ino == b->st_ino && a->st_mode == b->st_mode &&
           a->st_uid == b->st_uid && a->st_gid == b->st_gid &&
           a->st_size == b->st_size && a->st_nlink == b->st_nlink &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
           a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
           a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
           a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}


/* Abort when anything outside the export changed. */
static void
pfsFuzzCheckOutside(void)
{
    struct stat top, outside, sentinel;

    if (lstat(world.top, &top) < 0 || lstat(world.outside, &outside) < 0 ||
        lstat(world.sentinel, &sentinel) < 0)
        pfsFuzzDie("an input removed something outside the export");
    if (!pfsFuzzSameStat(&top, &world.topSt) ||
        !pfsFuzzSameStat(&outside, &world.outsideSt) ||
        !pfsFuzzSameStat(&sentinel, &world.sentinelSt)) {
        fprintf(stderr, "proxyfsfuzz: an input changed something outside the export\n");
        abort();
    }
}


/* Abort when a reply describes an object outside the export: an fd passed
 * for it, or its lstat. */
static void
pfsFuzzCheckObject(dev_t dev, ino_t ino, const char *how)
{
    const struct stat *outside[] = {
        &world.topSt, &world.outsideSt, &world.sentinelSt, &world.hostRootSt,
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(outside); i++) {
        if (outside[i]->st_dev == dev && outside[i]->st_ino == ino) {
            fprintf(stderr, "proxyfsfuzz: %s reached an object outside the export\n", how);
            abort();
        }
    }
}


/* Receive and close whatever the server sent, including passed fds. */
static void
pfsFuzzDrain(void)
{
    for (;;) {
        union {
            struct cmsghdr align;
            char buf[CMSG_SPACE(sizeof(int))];
        } control;
        struct iovec iov = { world.drain, sizeof(world.drain) };
        struct msghdr msg = {
            .msg_iov = &iov,
            .msg_iovlen = 1,
            .msg_control = control.buf,
            .msg_controllen = sizeof(control.buf),
        };
        struct cmsghdr *cmsg;
        ssize_t r = recvmsg(world.peer, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

        if (r < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN)
                return;
            pfsFuzzDie("drain the replies");
        }
        for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
            if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS) {
                int fd;

                struct stat st;

                memcpy(&fd, CMSG_DATA(cmsg), sizeof(fd));
                if (fstat(fd, &st) < 0)
                    pfsFuzzDie("fstat a passed fd");
                pfsFuzzCheckObject(st.st_dev, st.st_ino, "a passed fd");
                close(fd);
            }
        }
    }
}


static void
pfsFuzzCleanup(void)
{
    if (!world.root)
        return;
    pfsProxyServerFree(world.srv);
    pfsProxyExportClose(&world.exp);
    nftw(world.top, pfsFuzzOpenEntry, 16, FTW_PHYS);
    nftw(world.top, pfsFuzzRemoveEntry, 16, FTW_PHYS | FTW_DEPTH);
    rmdir(world.top);
}


/* The fd the kernel would hand out next: any other value after an input
 * means that the input leaked one. */
static int
pfsFuzzLowestFreeFd(void)
{
    int fd = fcntl(world.peer, F_DUPFD_CLOEXEC, 0);

    if (fd >= 0)
        close(fd);
    return fd;
}


int
LLVMFuzzerInitialize(int *argc G_GNUC_UNUSED, char ***argv G_GNUC_UNUSED)
{
    g_autoptr(GError) err = NULL;
    int sv[2];
    int fd;

    /* the helper's warnings (refused special files...) would drown the
     * fuzzer's output */
    pfsLogSetup("proxyfsfuzz", PFS_LOG_TO_STDERR, PFS_LOG_LAST);

    if (!(world.top = g_dir_make_tmp("proxyfsfuzz-XXXXXX", &err))) {
        fprintf(stderr, "proxyfsfuzz: %s\n", err->message);
        abort();
    }
    world.root = g_build_filename(world.top, "export", NULL);
    world.outside = g_build_filename(world.top, "outside", NULL);
    world.sentinel = g_build_filename(world.outside, "sentinel", NULL);
    if (mkdir(world.root, 0755) < 0 || mkdir(world.outside, 0755) < 0 ||
        (fd = open(world.sentinel, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
        pfsFuzzDie("create the world");
    if (pfsSafeWrite(fd, "SECRET\n", 7) < 0)
        pfsFuzzDie("write the sentinel");
    close(fd);
    atexit(pfsFuzzCleanup);

    pfsFuzzPopulate();
    if (pfsProxyExportOpen(&world.exp, world.root) < 0)
        abort();
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        pfsFuzzDie("socketpair");
    if ((world.cwdfd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
        pfsFuzzDie("open the working directory");
    world.srv = pfsProxyServerNew(&world.exp, sv[0]);
    world.peer = sv[1];
    pfsFuzzSnapshot();
    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bool dirty = false;
    size_t off = 0;
    int nextFd;
    int fd;

    if (!world.srv)
        LLVMFuzzerInitialize(NULL, NULL);
    if ((nextFd = pfsFuzzLowestFreeFd()) < 0)
        pfsFuzzDie("dup");

    /* the same framing rules as pfsProxyServerRun(): a frame that the
     * server would refuse ends the connection, so it ends the input */
    while (size - off >= PFS_PROXY_HEADER_SIZE) {
        const pfsProxyOpInfo *info;
        pfsProxyReply reply;
        uint32_t type, len;

        memcpy(&type, data + off, sizeof(type));
        memcpy(&len, data + off + 4, sizeof(len));
        if (len > PFS_PROXY_MAX_PAYLOAD || !(info = pfsProxyOpLookup(type)) ||
            len > size - off - PFS_PROXY_HEADER_SIZE)
            break;
        if (pfsProxyServerHandle(world.srv, type, data + off + PFS_PROXY_HEADER_SIZE,
                                 len, &reply) < 0)
            abort();
        /* a request that failed changed nothing: the next input can
         * start from the same tree (rebuilding it is most of the cost) */
        dirty |= info->mutates && reply.status >= 0;
        if (type == PFS_PROXY_T_LSTAT && reply.status >= 0) {
            uint64_t dev, ino;

            /* ProxyStat starts with st_dev and st_ino */
            memcpy(&dev, reply.data.buf, sizeof(dev));
            memcpy(&ino, reply.data.buf + 8, sizeof(ino));
            pfsFuzzCheckObject(dev, ino, "lstat");
        }
        if (pfsProxyServerSend(world.srv, &reply) < 0)
            pfsFuzzDie("send a reply");
        pfsFuzzDrain();
        off += PFS_PROXY_HEADER_SIZE + len;
    }

    /* the helper does not care where its xattr requests leave it, but
     * libFuzzer writes its findings relative to the working directory */
    if (fchdir(world.cwdfd) < 0)
        pfsFuzzDie("return to the working directory");
    pfsFuzzCheckOutside();
    if ((fd = pfsFuzzLowestFreeFd()) != nextFd) {
        fprintf(stderr, "proxyfsfuzz: an input leaked fd %d\n", nextFd);
        abort();
    }
    if (dirty) {
        pfsFuzzPopulate();
        pfsFuzzSnapshot();
    }
    return 0;
}
