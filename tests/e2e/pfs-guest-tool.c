/*
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * pfs-guest-tool: the few operations the end-to-end guest needs that
 * Debian's busybox lacks. Built with 'gcc -static' by build-guest.sh and
 * installed as /bin/pfs-guest-tool in the guest's initramfs.
 *
 *   pfs-guest-tool runas UID GID[,GID...] CMD [ARG...]
 *       drop to UID, primary group GID, the other GIDs as supplementary
 *       groups, then exec CMD
 *   pfs-guest-tool setxattr PATH NAME VALUE [create|replace]
 *   pfs-guest-tool getxattr PATH NAME        print the value
 *   pfs-guest-tool listxattr PATH            one name per line, sorted
 *   pfs-guest-tool removexattr PATH NAME
 *   pfs-guest-tool mknod PATH c|b|p MAJOR MINOR MODE
 *   pfs-guest-tool mksock PATH               bind a Unix socket there
 *   pfs-guest-tool hold PATH CMD [ARG...]
 *       keep PATH open for reading while CMD runs; exit with its status
 *
 * A failed operation prints 'errno=ENAME' on stdout (so that a script can
 * tell EPERM from EACCES without parsing localised messages) and a
 * message on stderr, and exits with status 1; usage errors exit with 2.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#define PFS_MAX_GROUPS 32

struct pfsErrnoName {
    int code;
    const char *name;
};

static const struct pfsErrnoName pfsErrnoNames[] = {
    { EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EIO, "EIO" },
    { ENXIO, "ENXIO" }, { EBADF, "EBADF" }, { EACCES, "EACCES" },
    { EEXIST, "EEXIST" }, { EXDEV, "EXDEV" }, { ENODEV, "ENODEV" },
    { ENOTDIR, "ENOTDIR" }, { EISDIR, "EISDIR" }, { EINVAL, "EINVAL" },
    { ENOSPC, "ENOSPC" }, { EROFS, "EROFS" }, { EMLINK, "EMLINK" },
    { ERANGE, "ERANGE" }, { ENAMETOOLONG, "ENAMETOOLONG" },
    { ENOSYS, "ENOSYS" }, { ENOTEMPTY, "ENOTEMPTY" }, { ELOOP, "ELOOP" },
    { ENODATA, "ENODATA" }, { EOPNOTSUPP, "EOPNOTSUPP" },
    { ETXTBSY, "ETXTBSY" }, { E2BIG, "E2BIG" }, { EFAULT, "EFAULT" },
};


static const char *
pfsErrnoName(int code)
{
    static char buf[32];
    size_t i;

    for (i = 0; i < sizeof(pfsErrnoNames) / sizeof(pfsErrnoNames[0]); i++) {
        if (pfsErrnoNames[i].code == code)
            return pfsErrnoNames[i].name;
    }
    snprintf(buf, sizeof(buf), "E%d", code);
    return buf;
}


static int
pfsFail(const char *what, const char *path)
{
    int err = errno;

    printf("errno=%s\n", pfsErrnoName(err));
    fflush(stdout);
    fprintf(stderr, "pfs-guest-tool: %s %s: %s\n", what, path, strerror(err));
    return 1;
}


static int
pfsUsage(void)
{
    fprintf(stderr,
            "usage: pfs-guest-tool runas UID GID[,GID...] CMD [ARG...]\n"
            "       pfs-guest-tool setxattr PATH NAME VALUE [create|replace]\n"
            "       pfs-guest-tool getxattr PATH NAME\n"
            "       pfs-guest-tool listxattr PATH\n"
            "       pfs-guest-tool removexattr PATH NAME\n"
            "       pfs-guest-tool mknod PATH c|b|p MAJOR MINOR MODE\n"
            "       pfs-guest-tool mksock PATH\n"
            "       pfs-guest-tool hold PATH CMD [ARG...]\n");
    return 2;
}


static int
pfsParseNumber(const char *str, int base, unsigned long *value)
{
    char *end = NULL;

    if (!*str)
        return -1;
    errno = 0;
    *value = strtoul(str, &end, base);
    if (errno != 0 || *end != '\0')
        return -1;
    return 0;
}


static int
pfsCmdRunas(int argc, char **argv)
{
    gid_t groups[PFS_MAX_GROUPS];
    size_t ngroups = 0;
    unsigned long uid;
    unsigned long value;
    char *list;
    char *tok;
    char *save = NULL;

    if (argc < 3 || pfsParseNumber(argv[0], 10, &uid) < 0)
        return pfsUsage();

    list = strdup(argv[1]);
    if (!list)
        return pfsFail("strdup", argv[1]);
    for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (ngroups == PFS_MAX_GROUPS || pfsParseNumber(tok, 10, &value) < 0) {
            free(list);
            return pfsUsage();
        }
        groups[ngroups++] = value;
    }
    free(list);
    if (ngroups == 0)
        return pfsUsage();

    /* the supplementary groups: all but the primary one */
    if (setgroups(ngroups - 1, groups + 1) < 0)
        return pfsFail("setgroups", argv[1]);
    if (setresgid(groups[0], groups[0], groups[0]) < 0)
        return pfsFail("setresgid", argv[1]);
    if (setresuid(uid, uid, uid) < 0)
        return pfsFail("setresuid", argv[0]);

    execvp(argv[2], argv + 2);
    fprintf(stderr, "pfs-guest-tool: exec %s: %s\n", argv[2], strerror(errno));
    return 127;
}


static int
pfsCmdSetxattr(int argc, char **argv)
{
    int flags = 0;

    if (argc < 3 || argc > 4)
        return pfsUsage();
    if (argc == 4) {
        if (strcmp(argv[3], "create") == 0)
            flags = XATTR_CREATE;
        else if (strcmp(argv[3], "replace") == 0)
            flags = XATTR_REPLACE;
        else
            return pfsUsage();
    }
    if (setxattr(argv[0], argv[1], argv[2], strlen(argv[2]), flags) < 0)
        return pfsFail("setxattr", argv[0]);
    return 0;
}


static int
pfsCmdGetxattr(int argc, char **argv)
{
    char buf[65536];
    ssize_t len;

    if (argc != 2)
        return pfsUsage();
    len = getxattr(argv[0], argv[1], buf, sizeof(buf));
    if (len < 0)
        return pfsFail("getxattr", argv[0]);
    fwrite(buf, 1, len, stdout);
    putchar('\n');
    return 0;
}


static int
pfsCompareStrings(const void *a, const void *b)
{
    return strcmp(*(char * const *)a, *(char * const *)b);
}


static int
pfsCmdListxattr(int argc, char **argv)
{
    char buf[65536];
    char *names[1024];
    size_t nnames = 0;
    ssize_t len;
    ssize_t pos;
    size_t i;

    if (argc != 1)
        return pfsUsage();
    len = listxattr(argv[0], buf, sizeof(buf) - 1);
    if (len < 0)
        return pfsFail("listxattr", argv[0]);
    buf[len] = '\0';
    for (pos = 0; pos < len && nnames < 1024; pos += strlen(buf + pos) + 1)
        names[nnames++] = buf + pos;
    qsort(names, nnames, sizeof(names[0]), pfsCompareStrings);
    for (i = 0; i < nnames; i++)
        printf("%s\n", names[i]);
    return 0;
}


static int
pfsCmdRemovexattr(int argc, char **argv)
{
    if (argc != 2)
        return pfsUsage();
    if (removexattr(argv[0], argv[1]) < 0)
        return pfsFail("removexattr", argv[0]);
    return 0;
}


static int
pfsCmdMknod(int argc, char **argv)
{
    unsigned long major;
    unsigned long minor;
    unsigned long mode;
    mode_t type;

    if (argc != 5 ||
        pfsParseNumber(argv[2], 10, &major) < 0 ||
        pfsParseNumber(argv[3], 10, &minor) < 0 ||
        pfsParseNumber(argv[4], 8, &mode) < 0)
        return pfsUsage();
    if (strcmp(argv[1], "c") == 0)
        type = S_IFCHR;
    else if (strcmp(argv[1], "b") == 0)
        type = S_IFBLK;
    else if (strcmp(argv[1], "p") == 0)
        type = S_IFIFO;
    else
        return pfsUsage();

    if (mknod(argv[0], type | (mode & 07777), makedev(major, minor)) < 0)
        return pfsFail("mknod", argv[0]);
    return 0;
}


static int
pfsCmdMksock(int argc, char **argv)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd;

    if (argc != 1 || strlen(argv[0]) >= sizeof(addr.sun_path))
        return pfsUsage();
    strcpy(addr.sun_path, argv[0]);
    if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
        return pfsFail("socket", argv[0]);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
        return pfsFail("bind", argv[0]);
    close(fd);
    return 0;
}


static int
pfsCmdHold(int argc, char **argv)
{
    pid_t pid;
    int status;
    int fd;

    if (argc < 2)
        return pfsUsage();
    fd = open(argv[0], O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return pfsFail("open", argv[0]);

    pid = fork();
    if (pid < 0)
        return pfsFail("fork", argv[1]);
    if (pid == 0) {
        execvp(argv[1], argv + 1);
        fprintf(stderr, "pfs-guest-tool: exec %s: %s\n", argv[1], strerror(errno));
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return pfsFail("waitpid", argv[1]);
    }
    close(fd);
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
}


int
main(int argc, char **argv)
{
    const char *cmd;

    if (argc < 2)
        return pfsUsage();
    cmd = argv[1];
    argc -= 2;
    argv += 2;

    if (strcmp(cmd, "runas") == 0)
        return pfsCmdRunas(argc, argv);
    if (strcmp(cmd, "setxattr") == 0)
        return pfsCmdSetxattr(argc, argv);
    if (strcmp(cmd, "getxattr") == 0)
        return pfsCmdGetxattr(argc, argv);
    if (strcmp(cmd, "listxattr") == 0)
        return pfsCmdListxattr(argc, argv);
    if (strcmp(cmd, "removexattr") == 0)
        return pfsCmdRemovexattr(argc, argv);
    if (strcmp(cmd, "mknod") == 0)
        return pfsCmdMknod(argc, argv);
    if (strcmp(cmd, "mksock") == 0)
        return pfsCmdMksock(argc, argv);
    if (strcmp(cmd, "hold") == 0)
        return pfsCmdHold(argc, argv);
    return pfsUsage();
}
