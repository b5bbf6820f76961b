/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxyfsbench.c: how fast proxy helpers answer, against the floor
 *
 * Drives any helper that takes QEMU's command line (ours, QEMU's
 * virtfs-proxy-helper, or either under a wrapper such as strace) over a
 * socketpair, the way QEMU does: one request, then its reply. Each
 * helper gets a throwaway export of its own on a real filesystem.
 *
 * The floor is what no helper could beat on this machine: the same
 * system calls made by this process directly on an export of the same
 * filesystem, plus, per request, one bare round trip over a socketpair
 * to a child that only echoes (forked, never exec'd). Measurements of
 * all of them are interleaved, repeated, and the median is reported, so
 * ratios taken within one run are meaningful even when absolute numbers
 * drift. A second mode (--scale) measures the memory of many idle
 * helpers and the start-up time of one. See docs/performance.rst.
 */
#include "pfsinternal.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/magic.h>
#include <locale.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "pfsfdpass.h"
#include "pfsfile.h"
#include "pfstestclient.h"
#include "pfshelperlimits.h"

#define PFS_BENCH_CONN_FAILED INT32_MIN

/* A user xattr of 32 bytes on the benchmark file; the value is a string
 * because the request encoder takes strings. */
#define PFS_BENCH_XATTR_NAME "user.pfsbench"
#define PFS_BENCH_XATTR_VALUE "0123456789abcdef0123456789abcdef"
#define PFS_BENCH_XATTR_LEN 32

#define PFS_BENCH_LINK_TARGET "../some/where/else.txt"

/* QEMU's readlink buffer (it never asks with anything else) */
#define PFS_BENCH_READLINK_BUF 4096

/* A request that takes longer than this means the helper hangs. */
#define PFS_BENCH_REPLY_TIMEOUT_S 10
/* Start-up under valgrind takes seconds. */
#define PFS_BENCH_READY_TIMEOUT_MS 30000
#define PFS_BENCH_EXIT_TIMEOUT_MS 10000

/* The shape of one cycle of the mixed workload (see pfsBenchStepMixed) */
#define PFS_BENCH_MIX_DIRS 3
#define PFS_BENCH_MIX_FILES 8

/* --scale refuses more helpers than this, whatever the machine says */
#define PFS_BENCH_SCALE_MAX 5000

static volatile sig_atomic_t pfsBenchInterrupted;


typedef struct _pfsBenchOptions pfsBenchOptions;
struct _pfsBenchOptions {
    char **helpers;
    gboolean ours;
    gboolean qemu;
    gint busyPoll;
    char *exportDir;
    int reps;
    double seconds;
    gint64 count;
    char *ops;
    int depth;
    int uid;
    int gid;
    char *wrapper;
    gboolean verbose;
    double slice;
    char *cpus;
    int scale;
    int startupRuns;
    gboolean listOps;
};


/* A helper to benchmark, from the command line. */
typedef struct _pfsBenchHelperSpec pfsBenchHelperSpec;
struct _pfsBenchHelperSpec {
    char *label;
    char *path;
    bool ours;           /* takes our options: --ready-fd, --unprivileged */
    unsigned int busyPoll;  /* ours with --busy-poll=USEC, when not 0 */
};


typedef enum {
    PFS_BENCH_TARGET_HELPER,
    PFS_BENCH_TARGET_LOCAL,
    PFS_BENCH_TARGET_ECHO,
} pfsBenchTargetKind;

/* What the requests of a benchmark go to: a helper, this process (the
 * in-process half of the floor), or the echo child (the other half). */
typedef struct _pfsBenchTarget pfsBenchTarget;
struct _pfsBenchTarget {
    pfsBenchTargetKind kind;
    const pfsBenchHelperSpec *spec;  /* helpers */
    char *label;
    char *exportPath;    /* host view of its export */
    char *logPath;       /* helpers: their stderr */
    pid_t pid;
    int sock;
    guint64 plain;       /* requests answered with a frame */
    guint64 fds;         /* requests answered with an fd */
    guint64 byType[PFS_PROXY_T_LAST];
    guint64 served;      /* every request since it started */
    pfsTestMsg *msg;     /* shared: the request being built */
    uint8_t *in;         /* shared: the reply */
    uint32_t replyLen;
    char wire[2][PATH_MAX + 3];
};


typedef struct _pfsBenchRun pfsBenchRun;
struct _pfsBenchRun {
    pfsBenchOptions *opts;
    pfsBenchHelperSpec *specs;
    size_t nspecs;
    char **wrapperArgv;
    char *top;           /* the throwaway directory holding every export */
    int cwd;             /* where we started, to come back after in-process runs */
    bool xattrs;         /* the filesystem takes user xattrs */
    /* paths relative to an export's root, at the requested depth */
    char *work;
    char *file;
    char *fresh;
    char *link;
    char *renA;
    char *renB;
    char *mix;
    uint32_t uid;
    uint32_t gid;
    uint32_t gidAlt;     /* what chown alternates with */
    bool pinChildren;    /* --cpus split: children go to childCpus */
    cpu_set_t childCpus;
    pfsTestMsg *msg;
    uint8_t *in;
    pfsTestMsg *echoFrame;
    pfsTestMsg *echoFdFrame;
};


typedef struct _pfsBenchOp pfsBenchOp;
struct _pfsBenchOp {
    const char *name;
    const char *what;
    bool xattr;          /* needs user xattrs */
    /* One iteration; returns how many operations it counts as (the
     * mixed workload counts requests), or -1. */
    int (*step)(pfsBenchRun *run, pfsBenchTarget *t, guint64 i);
};


/* One repetition of one operation on one target. */
typedef struct _pfsBenchSample pfsBenchSample;
struct _pfsBenchSample {
    double rate;         /* operations per second: the median of its slices */
    double seconds;      /* the rest are totals over its slices */
    guint64 iterations;
    guint64 plain;
    guint64 fds;
};


static double
pfsBenchNow(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}


static int
pfsBenchCompareDouble(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;

    return x < y ? -1 : x > y;
}


/* The median of @n values (sorted in place). */
static double
pfsBenchMedian(double *vals, size_t n)
{
    if (n == 0)
        return NAN;
    qsort(vals, n, sizeof(double), pfsBenchCompareDouble);
    if (n % 2)
        return vals[n / 2];
    return (vals[n / 2 - 1] + vals[n / 2]) / 2;
}


/* The value below which @p (0..1) of @n sorted values lie. */
static double
pfsBenchPercentile(const double *sorted, size_t n, double p)
{
    size_t i;

    if (n == 0)
        return NAN;
    i = (size_t)ceil(p * n);
    if (i > 0)
        i--;
    return sorted[MIN(i, n - 1)];
}


static void
pfsBenchOnSignal(int sig)
{
    pfsBenchInterrupted = sig;
}


/* Ctrl-C (or a TERM from a CI timeout) ends the run through its normal
 * cleanup: no SA_RESTART, so a blocked call returns EINTR. */
static void
pfsBenchCatchSignals(void)
{
    struct sigaction act = { .sa_handler = pfsBenchOnSignal };
    struct sigaction ign = { .sa_handler = SIG_IGN };

    sigemptyset(&act.sa_mask);
    sigaction(SIGINT, &act, NULL);
    sigaction(SIGTERM, &act, NULL);
    sigaction(SIGHUP, &act, NULL);
    sigaction(SIGPIPE, &ign, NULL);
}


static bool
pfsBenchCheckInterrupted(void)
{
    if (!pfsBenchInterrupted)
        return false;
    fprintf(stderr, "proxyfsbench: interrupted by signal %d, cleaning up\n",
            (int)pfsBenchInterrupted);
    return true;
}


/* ------------------------------------------------------------------ */
/* Files and machine information                                       */
/* ------------------------------------------------------------------ */

static int
pfsBenchRemoveEntry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    if (remove(path) < 0 && errno != ENOENT)
        fprintf(stderr, "proxyfsbench: cannot remove '%s': %s\n", path, g_strerror(errno));
    return 0;
}


/* rm -rf that never crosses into another mount */
static void
pfsBenchRemoveTree(const char *path)
{
    struct stat st;

    if (lstat(path, &st) < 0)
        return;
    nftw(path, pfsBenchRemoveEntry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}


static const char *
pfsBenchFsName(long type)
{
    switch (type) {
    case EXT4_SUPER_MAGIC: return "ext2/3/4";
    case XFS_SUPER_MAGIC: return "xfs";
    case BTRFS_SUPER_MAGIC: return "btrfs";
    case TMPFS_MAGIC: return "tmpfs";
    case RAMFS_MAGIC: return "ramfs";
    case OVERLAYFS_SUPER_MAGIC: return "overlayfs";
    case 0x6969: return "nfs";
    case 0x01021997: return "9p";
    case 0x65735546: return "fuse";
    default: return "other";
    }
}


static bool
pfsBenchIsMemoryFs(const char *path)
{
    struct statfs sfs;

    if (statfs(path, &sfs) < 0)
        return false;
    return sfs.f_type == TMPFS_MAGIC || sfs.f_type == RAMFS_MAGIC;
}


/* The mount holding @path, from /proc/self/mountinfo: "TYPE on SOURCE
 * (mounted at MOUNTPOINT, OPTIONS)". */
static char *
pfsBenchDescribeMount(const char *path)
{
    g_autofree char *content = NULL;
    g_auto(GStrv) lines = NULL;
    g_autofree char *best = NULL;
    size_t bestLen = 0;
    size_t i;

    if (!g_file_get_contents("/proc/self/mountinfo", &content, NULL, NULL))
        return g_strdup("unknown mount");
    lines = g_strsplit(content, "\n", -1);
    for (i = 0; lines[i]; i++) {
        g_auto(GStrv) halves = g_strsplit(lines[i], " - ", 2);
        g_auto(GStrv) pre = NULL;
        g_auto(GStrv) post = NULL;
        const char *mnt;
        size_t len;

        if (!halves[0] || !halves[1])
            continue;
        pre = g_strsplit(halves[0], " ", -1);
        post = g_strsplit(halves[1], " ", -1);
        if (g_strv_length(pre) < 6 || g_strv_length(post) < 2)
            continue;
        mnt = pre[4];
        len = strlen(mnt);
        if (!g_str_has_prefix(path, mnt))
            continue;
        if (strcmp(mnt, "/") != 0 && path[len] != '\0' && path[len] != '/')
            continue;
        if (len < bestLen)
            continue;
        bestLen = len;
        g_free(best);
        best = g_strdup_printf("%s on %s (mounted at %s, %s)",
                               post[0], post[1], mnt, pre[5]);
    }
    return best ? g_steal_pointer(&best) : g_strdup("unknown mount");
}


static char *
pfsBenchCpuModel(void)
{
    g_autofree char *content = NULL;
    g_auto(GStrv) lines = NULL;
    size_t i;

    if (!g_file_get_contents("/proc/cpuinfo", &content, NULL, NULL))
        return g_strdup("unknown");
    lines = g_strsplit(content, "\n", -1);
    for (i = 0; lines[i]; i++) {
        if (g_str_has_prefix(lines[i], "model name")) {
            const char *colon = strchr(lines[i], ':');
            if (colon)
                return g_strstrip(g_strdup(colon + 1));
        }
    }
    return g_strdup("unknown");
}


static char *
pfsBenchLoadAvg(void)
{
    g_autofree char *content = NULL;
    g_auto(GStrv) fields = NULL;

    if (!g_file_get_contents("/proc/loadavg", &content, NULL, NULL))
        return g_strdup("unknown");
    fields = g_strsplit(content, " ", -1);
    if (g_strv_length(fields) < 3)
        return g_strdup("unknown");
    return g_strdup_printf("%s %s %s (1, 5, 15 min)", fields[0], fields[1], fields[2]);
}


/* A value in kB from a "Key:   123 kB" file such as /proc/meminfo. */
static guint64
pfsBenchKbField(const char *content, const char *key)
{
    g_autofree char *needle = g_strdup_printf("\n%s:", key);
    const char *p;

    if (g_str_has_prefix(content, needle + 1))
        p = content + strlen(needle + 1);
    else if ((p = strstr(content, needle)))
        p += strlen(needle);
    else
        return 0;
    return g_ascii_strtoull(p, NULL, 10);
}


static void
pfsBenchPrintMachine(pfsBenchRun *run)
{
    g_autofree char *cpu = pfsBenchCpuModel();
    g_autofree char *load = pfsBenchLoadAvg();
    g_autofree char *mount = pfsBenchDescribeMount(run->top);
    g_autofree char *meminfo = NULL;
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree char *date = g_date_time_format(now, "%Y-%m-%d %H:%M UTC");
    struct utsname uts;
    struct statfs sfs;
    guint64 memKb = 0;

    if (g_file_get_contents("/proc/meminfo", &meminfo, NULL, NULL))
        memKb = pfsBenchKbField(meminfo, "MemTotal");
    if (uname(&uts) < 0)
        memset(&uts, 0, sizeof(uts));
    if (statfs(run->top, &sfs) < 0)
        sfs.f_type = 0;

    printf("proxyfsbench %s\n", PACKAGE_VERSION);
    printf("  date        %s\n", date);
    printf("  cpu         %s, %ld online cpus\n", cpu, sysconf(_SC_NPROCESSORS_ONLN));
    printf("  kernel      %s %s %s\n", uts.sysname, uts.release, uts.machine);
    printf("  memory      %.1f GiB\n", memKb / 1048576.0);
    printf("  filesystem  %s: %s\n", pfsBenchFsName(sfs.f_type), mount);
    printf("  exports in  %s\n", run->top);
    printf("  load        %s at start\n", load);
}


/* ------------------------------------------------------------------ */
/* Starting and stopping helpers                                       */
/* ------------------------------------------------------------------ */

typedef struct _pfsBenchProc pfsBenchProc;
struct _pfsBenchProc {
    pid_t pid;
    int sock;
    int ready;           /* read end of --ready-fd, or -1 */
};


static void
pfsBenchSetTimeouts(int sock)
{
    struct timeval tv = { .tv_sec = PFS_BENCH_REPLY_TIMEOUT_S };

    /* a helper that hangs must not hang the benchmark */
    setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}


/* Start @spec on @exportPath with its end of a new socketpair, as a
 * launcher would: -n -p EXPORT -f FD, and for ours --ready-fd (and
 * --unprivileged when we are not root). */
static int
pfsBenchSpawn(pfsBenchRun *run,
              const pfsBenchHelperSpec *spec,
              const char *exportPath,
              int logfd,
              bool wantReady,
              pfsBenchProc *proc)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    g_auto(GStrv) env = NULL;
    g_autofree char *program = NULL;
    int sv[2] = { -1, -1 };
    int rp[2] = { -1, -1 };
    char **w;
    pid_t pid;

    proc->pid = -1;
    proc->sock = -1;
    proc->ready = -1;
    wantReady = wantReady && spec->ours;

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        fprintf(stderr, "proxyfsbench: socketpair: %s\n", g_strerror(errno));
        return -1;
    }
    if (wantReady && pipe2(rp, O_CLOEXEC) < 0) {
        fprintf(stderr, "proxyfsbench: pipe: %s\n", g_strerror(errno));
        close(sv[0]);
        close(sv[1]);
        return -1;
    }

    for (w = run->wrapperArgv; w && *w; w++)
        g_ptr_array_add(argv, g_strdup(*w));
    g_ptr_array_add(argv, g_strdup(spec->path));
    g_ptr_array_add(argv, g_strdup("-n"));
    g_ptr_array_add(argv, g_strdup("-p"));
    g_ptr_array_add(argv, g_strdup(exportPath));
    g_ptr_array_add(argv, g_strdup("-f"));
    g_ptr_array_add(argv, g_strdup_printf("%d", sv[1]));
    if (wantReady) {
        g_ptr_array_add(argv, g_strdup("--ready-fd"));
        g_ptr_array_add(argv, g_strdup_printf("%d", rp[1]));
    }
    if (spec->ours && geteuid() != 0)
        g_ptr_array_add(argv, g_strdup("--unprivileged"));
    if (spec->busyPoll > 0)
        g_ptr_array_add(argv, g_strdup_printf("--busy-poll=%u", spec->busyPoll));
    g_ptr_array_add(argv, NULL);

    /* what the QEMU driver gives the helper */
    env = g_environ_setenv(g_get_environ(), "LC_ALL", "C", TRUE);
    program = g_find_program_in_path(g_ptr_array_index(argv, 0));
    if (!program) {
        fprintf(stderr, "proxyfsbench: cannot find '%s'\n",
                (char *)g_ptr_array_index(argv, 0));
        goto error;
    }

    if ((pid = fork()) < 0) {
        fprintf(stderr, "proxyfsbench: fork: %s\n", g_strerror(errno));
        goto error;
    }
    if (pid == 0) {
        /* async-signal-safe calls only, until exec */
        int nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        struct sigaction dfl = { .sa_handler = SIG_DFL };

        if (nullfd >= 0)
            dup2(nullfd, STDIN_FILENO);
        if (logfd >= 0) {
            dup2(logfd, STDOUT_FILENO);
            dup2(logfd, STDERR_FILENO);
        }
        /* QEMU's helper installs no SIGPIPE handler: do not hand it our
         * SIG_IGN */
        sigaction(SIGPIPE, &dfl, NULL);
        if (run->pinChildren)
            sched_setaffinity(0, sizeof(run->childCpus), &run->childCpus);
        fcntl(sv[1], F_SETFD, 0);
        if (rp[1] >= 0)
            fcntl(rp[1], F_SETFD, 0);
        execve(program, (char **)argv->pdata, env);
        _exit(127);
    }

    close(sv[1]);
    if (rp[1] >= 0)
        close(rp[1]);
    pfsBenchSetTimeouts(sv[0]);
    proc->pid = pid;
    proc->sock = sv[0];
    proc->ready = rp[0];
    return 0;

 error:
    close(sv[0]);
    close(sv[1]);
    if (rp[0] >= 0) {
        close(rp[0]);
        close(rp[1]);
    }
    return -1;
}


/* Wait for the '0' that ours writes to --ready-fd once it serves.
 * Returns 0, or -1 with the reason on stderr. */
static int
pfsBenchWaitReady(pfsBenchProc *proc, const char *label)
{
    struct pollfd pfd = { .fd = proc->ready, .events = POLLIN };
    char report[512];
    ssize_t n;
    int r;

    if (proc->ready < 0)
        return 0;
    do {
        r = poll(&pfd, 1, PFS_BENCH_READY_TIMEOUT_MS);
    } while (r < 0 && errno == EINTR && !pfsBenchInterrupted);
    if (r <= 0) {
        fprintf(stderr, "proxyfsbench: %s: %s\n", label,
                r == 0 ? "not ready in time" : g_strerror(errno));
        pfsForceClose(&proc->ready);
        return -1;
    }
    /* One read: the report is one write, and a wrapper (strace) may hold
     * a copy of the pipe, so EOF can be far off. */
    do {
        n = read(proc->ready, report, sizeof(report) - 1);
    } while (n < 0 && errno == EINTR && !pfsBenchInterrupted);
    pfsForceClose(&proc->ready);
    if (n > 0 && report[0] == '0')
        return 0;
    if (n > 1) {
        report[n] = '\0';
        fprintf(stderr, "proxyfsbench: %s did not start: %s\n", label, report + 1);
    } else {
        fprintf(stderr, "proxyfsbench: %s exited before it was ready\n", label);
    }
    return -1;
}


/* Wait until @pid has exited or @deadline (pfsBenchNow()) passed; then
 * kill it. Returns its wait status. */
static int
pfsBenchReap(pid_t pid, double deadline)
{
    int status = 0;

    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);

        if (r == pid)
            return status;
        if (r < 0 && errno != EINTR)
            return -1;
        if (pfsBenchNow() > deadline)
            break;
        g_usleep(1000);
    }
    kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return status;
}


/* Close our end (the helper exits at EOF) and reap it. */
static int
pfsBenchProcStop(pfsBenchProc *proc)
{
    int status = 0;

    pfsForceClose(&proc->sock);
    pfsForceClose(&proc->ready);
    if (proc->pid > 0) {
        status = pfsBenchReap(proc->pid, pfsBenchNow() + PFS_BENCH_EXIT_TIMEOUT_MS / 1000.0);
        proc->pid = -1;
    }
    return status;
}


/* ------------------------------------------------------------------ */
/* Requests                                                            */
/* ------------------------------------------------------------------ */

static int32_t
pfsBenchConnFailed(pfsBenchTarget *t, const char *what, int err)
{
    fprintf(stderr, "proxyfsbench: %s: connection failed while %s%s%s\n",
            t->label, what, err ? ": " : "", err ? g_strerror(err) : "");
    return PFS_BENCH_CONN_FAILED;
}


static int
pfsBenchSendAll(int sock, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    size_t done = 0;

    while (done < len) {
        ssize_t r = send(sock, p + done, len - done, MSG_NOSIGNAL);
        if (r < 0) {
            if (errno == EINTR && !pfsBenchInterrupted)
                continue;
            return -1;
        }
        done += r;
    }
    return 0;
}


/* Send the request built in t->msg and read its reply as QEMU would.
 * A received fd is closed at once. Returns the status (>= 0, or a
 * -errno), or PFS_BENCH_CONN_FAILED. */
static int32_t
pfsBenchCall(pfsBenchTarget *t)
{
    const pfsTestMsg *msg = t->msg;
    uint32_t type, rtype, size = 0;
    size_t have = 0;
    int32_t status;

    memcpy(&type, msg->buf, sizeof(type));
    if (type < PFS_PROXY_T_LAST)
        t->byType[type]++;
    t->served++;
    if (pfsBenchSendAll(t->sock, msg->buf, msg->len) < 0)
        return pfsBenchConnFailed(t, "sending", errno);

    if (pfsTestReplyClassOf(msg) == PFS_PROXY_REPLY_FD) {
        int32_t datum;
        int fd = -1;
        ssize_t r = pfsFDRecvWithData(t->sock, &datum, sizeof(datum), &fd);

        if (r != sizeof(datum)) {
            pfsForceClose(&fd);
            return pfsBenchConnFailed(t, "reading an fd reply", r < 0 ? errno : 0);
        }
        t->fds++;
        if (datum != PFS_PROXY_FD_VALID) {
            pfsForceClose(&fd);
            return datum < 0 ? datum : pfsBenchConnFailed(t, "decoding an fd reply", 0);
        }
        if (fd < 0)
            return -ENFILE;  /* what QEMU makes of a lost fd */
        close(fd);
        return 0;
    }

    while (have < PFS_PROXY_HEADER_SIZE || have < PFS_PROXY_HEADER_SIZE + size) {
        ssize_t r = recv(t->sock, t->in + have, PFS_PROXY_MAX_FRAME - have, 0);

        if (r < 0 && errno == EINTR && !pfsBenchInterrupted)
            continue;
        if (r <= 0)
            return pfsBenchConnFailed(t, "reading a reply", r < 0 ? errno : 0);
        have += r;
        if (have >= PFS_PROXY_HEADER_SIZE) {
            memcpy(&size, t->in + 4, sizeof(size));
            if (size > PFS_PROXY_MAX_PAYLOAD)
                return pfsBenchConnFailed(t, "reading an oversized reply", 0);
        }
    }
    t->plain++;
    t->replyLen = size;
    memcpy(&rtype, t->in, sizeof(rtype));

    if (rtype == PFS_PROXY_T_ERROR ||
        pfsTestReplyClassOf(msg) == PFS_PROXY_REPLY_STATUS) {
        if (size < sizeof(status))
            return pfsBenchConnFailed(t, "decoding a status reply", 0);
        memcpy(&status, t->in + PFS_PROXY_HEADER_SIZE, sizeof(status));
        return status;
    }
    if ((type == PFS_PROXY_T_LSTAT && size != PFS_PROXY_STAT_SIZE) ||
        (type == PFS_PROXY_T_STATFS && size != PFS_PROXY_STATFS_SIZE))
        return pfsBenchConnFailed(t, "decoding a data reply", 0);
    return 0;
}


/* The in-process half of the floor counts its "requests" too, so that
 * the floor knows how many round trips each operation needs. */
static int32_t
pfsBenchLocalDone(pfsBenchTarget *t, uint32_t type, int r)
{
    int err = errno;

    t->byType[type]++;
    if (type == PFS_PROXY_T_OPEN || type == PFS_PROXY_T_CREATE)
        t->fds++;
    else
        t->plain++;
    return r < 0 ? -err : 0;
}


/* A path as QEMU sends it: the root is "/", a child "//name", and so on. */
static const char *
pfsBenchWire(pfsBenchTarget *t, int slot, const char *rel)
{
    g_snprintf(t->wire[slot], sizeof(t->wire[slot]), "//%s", rel);
    return t->wire[slot];
}


static bool
pfsBenchIsLocal(pfsBenchTarget *t)
{
    return t->kind == PFS_BENCH_TARGET_LOCAL;
}


static int32_t
pfsBenchLstat(pfsBenchTarget *t, const char *rel)
{
    struct stat st;

    if (pfsBenchIsLocal(t))
        return pfsBenchLocalDone(t, PFS_PROXY_T_LSTAT, lstat(rel, &st));
    pfsTestMsgBuild(t->msg, PFS_PROXY_T_LSTAT, "p", pfsBenchWire(t, 0, rel));
    return pfsBenchCall(t);
}


static int32_t
pfsBenchOpen(pfsBenchTarget *t, const char *rel, int flags)
{
    if (pfsBenchIsLocal(t)) {
        int fd = open(rel, flags | O_CLOEXEC);

        if (fd >= 0)
            close(fd);
        return pfsBenchLocalDone(t, PFS_PROXY_T_OPEN, fd);
    }
    pfsTestMsgBuild(t->msg, PFS_PROXY_T_OPEN, "pd", pfsBenchWire(t, 0, rel), flags);
    return pfsBenchCall(t);
}


static int32_t
pfsBenchCreate(pfsBenchTarget *t, const char *rel, int flags, mode_t mode,
               uint32_t uid, uint32_t gid)
{
    if (pfsBenchIsLocal(t)) {
        int fd = open(rel, flags | O_CREAT | O_CLOEXEC, mode);
        int r = fd;

        /* the guest's owner, as any implementation must set it */
        if (fd >= 0) {
            r = fchown(fd, uid, gid);
            close(fd);
        }
        return pfsBenchLocalDone(t, PFS_PROXY_T_CREATE, r);
    }
    pfsTestMsgBuild(t->msg, PFS_PROXY_T_CREATE, "sdddd", pfsBenchWire(t, 0, rel),
                    flags, mode, uid, gid);
    return pfsBenchCall(t);
}


static int32_t
pfsBenchMkdir(pfsBenchTarget *t, const char *rel, mode_t mode,
              uint32_t uid, uint32_t gid)
{
    if (pfsBenchIsLocal(t)) {
        int r = mkdir(rel, mode);

        if (r == 0)
            r = lchown(rel, uid, gid);
        return pfsBenchLocalDone(t, PFS_PROXY_T_MKDIR, r);
    }
    pfsTestMsgBuild(t->msg, PFS_PROXY_T_MKDIR, "ddsd", uid, gid,
                    pfsBenchWire(t, 0, rel), mode);
    return pfsBenchCall(t);
}


static int32_t
pfsBenchSymlink(pfsBenchTarget *t, const char *target, const char *rel,
                uint32_t uid, uint32_t gid)
{
    if (pfsBenchIsLocal(t)) {
        int r = symlink(target, rel);

        if (r == 0)
            r = lchown(rel, uid, gid);
        return pfsBenchLocalDone(t, PFS_PROXY_T_SYMLINK, r);
    }
    pfsTestMsgBuild(t->msg, PFS_PROXY_T_SYMLINK, "ddss", uid, gid, target,
                    pfsBenchWire(t, 0, rel));
    return pfsBenchCall(t);
}


static int32_t
pfsBenchRemove(pfsBenchTarget *t, const char *rel)
{
    if (pfsBenchIsLocal(t)) {
        /* remove(3), which is what the request means: the type is not
         * known in advance */
        int r = unlink(rel);

        if (r < 0 && errno == EISDIR)
            r = rmdir(rel);
        return pfsBenchLocalDone(t, PFS_PROXY_T_REMOVE, r);
    }
    pfsTestMsgBuild(t->msg, PFS_PROXY_T_REMOVE, "s", pfsBenchWire(t, 0, rel));
    return pfsBenchCall(t);
}


static int32_t
pfsBenchChmod(pfsBenchTarget *t, const char *rel, mode_t mode)
{
    if (pfsBenchIsLocal(t))
        return pfsBenchLocalDone(t, PFS_PROXY_T_CHMOD, chmod(rel, mode));
    pfsTestMsgBuild(t->msg, PFS_PROXY_T_CHMOD, "pd", pfsBenchWire(t, 0, rel), mode);
    return pfsBenchCall(t);
}


static int32_t
pfsBenchChown(pfsBenchTarget *t, const char *rel, uint32_t uid, uint32_t gid)
{
    if (pfsBenchIsLocal(t))
        return pfsBenchLocalDone(t, PFS_PROXY_T_CHOWN, lchown(rel, uid, gid));
    pfsTestMsgBuild(t->msg, PFS_PROXY_T_CHOWN, "pdd", pfsBenchWire(t, 0, rel), uid, gid);
    return pfsBenchCall(t);
}


static int32_t
pfsBenchTruncate(pfsBenchTarget *t, const char *rel, int64_t length)
{
    if (pfsBenchIsLocal(t))
        return pfsBenchLocalDone(t, PFS_PROXY_T_TRUNCATE, truncate(rel, length));
    pfsTestMsgBuild(t->msg, PFS_PROXY_T_TRUNCATE, "pq", pfsBenchWire(t, 0, rel),
                    (uint64_t)length);
    return pfsBenchCall(t);
}


static int32_t
pfsBenchUtime(pfsBenchTarget *t, const char *rel, int64_t sec, int64_t nsec)
{
    if (pfsBenchIsLocal(t)) {
        struct timespec ts[2] = { { sec, nsec }, { sec, nsec } };

        return pfsBenchLocalDone(t, PFS_PROXY_T_UTIME,
                                 utimensat(AT_FDCWD, rel, ts, AT_SYMLINK_NOFOLLOW));
    }
    pfsTestMsgBuild(t->msg, PFS_PROXY_T_UTIME, "pqqqq", pfsBenchWire(t, 0, rel),
                    (uint64_t)sec, (uint64_t)nsec, (uint64_t)sec, (uint64_t)nsec);
    return pfsBenchCall(t);
}


static int32_t
pfsBenchRename(pfsBenchTarget *t, const char *from, const char *to)
{
    if (pfsBenchIsLocal(t))
        return pfsBenchLocalDone(t, PFS_PROXY_T_RENAME, rename(from, to));
    pfsTestMsgBuild(t->msg, PFS_PROXY_T_RENAME, "ss", pfsBenchWire(t, 0, from),
                    pfsBenchWire(t, 1, to));
    return pfsBenchCall(t);
}


static int32_t
pfsBenchReadlink(pfsBenchTarget *t, const char *rel)
{
    if (pfsBenchIsLocal(t)) {
        char buf[PFS_BENCH_READLINK_BUF];

        return pfsBenchLocalDone(t, PFS_PROXY_T_READLINK,
                                 readlink(rel, buf, sizeof(buf) - 1) < 0 ? -1 : 0);
    }
    pfsTestMsgBuild(t->msg, PFS_PROXY_T_READLINK, "pd", pfsBenchWire(t, 0, rel),
                    PFS_BENCH_READLINK_BUF);
    return pfsBenchCall(t);
}


static int32_t
pfsBenchStatfs(pfsBenchTarget *t, const char *rel)
{
    if (pfsBenchIsLocal(t)) {
        struct statfs sfs;

        return pfsBenchLocalDone(t, PFS_PROXY_T_STATFS, statfs(rel, &sfs));
    }
    pfsTestMsgBuild(t->msg, PFS_PROXY_T_STATFS, "p", pfsBenchWire(t, 0, rel));
    return pfsBenchCall(t);
}


/* @size 0 probes (the status is the length); otherwise the value. */
static int32_t
pfsBenchXattrGet(pfsBenchTarget *t, const char *rel, int32_t size)
{
    if (pfsBenchIsLocal(t)) {
        char buf[PFS_BENCH_XATTR_LEN];
        ssize_t n = lgetxattr(rel, PFS_BENCH_XATTR_NAME, size ? buf : NULL,
                              MIN((size_t)size, sizeof(buf)));
        int32_t r = pfsBenchLocalDone(t, PFS_PROXY_T_LGETXATTR, n < 0 ? -1 : 0);

        return r < 0 || size ? r : (int32_t)n;
    }
    pfsTestMsgBuild(t->msg, PFS_PROXY_T_LGETXATTR, "dps", size,
                    pfsBenchWire(t, 0, rel), PFS_BENCH_XATTR_NAME);
    return pfsBenchCall(t);
}


static int32_t
pfsBenchXattrSet(pfsBenchTarget *t, const char *rel)
{
    if (pfsBenchIsLocal(t))
        return pfsBenchLocalDone(t, PFS_PROXY_T_LSETXATTR,
                                 lsetxattr(rel, PFS_BENCH_XATTR_NAME, PFS_BENCH_XATTR_VALUE,
                                           PFS_BENCH_XATTR_LEN, 0));
    pfsTestMsgBuild(t->msg, PFS_PROXY_T_LSETXATTR, "pssdd", pfsBenchWire(t, 0, rel),
                    PFS_BENCH_XATTR_NAME, PFS_BENCH_XATTR_VALUE, PFS_BENCH_XATTR_LEN, 0);
    return pfsBenchCall(t);
}


/* ------------------------------------------------------------------ */
/* The echo child: the IPC half of the floor                           */
/* ------------------------------------------------------------------ */

/* Reads whole frames the way a helper would (one read when it can) and
 * answers each with one send: T_OPEN frames with a 4-byte datum and an
 * fd (the shape of a real open reply), everything else with the frame
 * itself. Ends at EOF. */
static void G_GNUC_NORETURN
pfsBenchEchoServe(int sock)
{
    static uint8_t buf[PFS_PROXY_MAX_FRAME];
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    size_t have = 0;

    for (;;) {
        uint32_t type, size = 0;
        size_t frame;

        while (have < PFS_PROXY_HEADER_SIZE || have < PFS_PROXY_HEADER_SIZE + size) {
            ssize_t r = read(sock, buf + have, sizeof(buf) - have);

            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                _exit(r == 0 ? 0 : 1);
            have += r;
            if (have >= PFS_PROXY_HEADER_SIZE) {
                memcpy(&size, buf + 4, sizeof(size));
                if (size > PFS_PROXY_MAX_PAYLOAD)
                    _exit(1);
            }
        }
        memcpy(&type, buf, sizeof(type));
        frame = PFS_PROXY_HEADER_SIZE + size;

        if (type == PFS_PROXY_T_OPEN) {
            int32_t datum = PFS_PROXY_FD_VALID;

            if (pfsFDSendWithData(sock, &datum, sizeof(datum), devnull) != sizeof(datum))
                _exit(1);
        } else {
            size_t done = 0;

            while (done < frame) {
                ssize_t r = send(sock, buf + done, frame - done, MSG_NOSIGNAL);
                if (r < 0 && errno == EINTR)
                    continue;
                if (r < 0)
                    _exit(1);
                done += r;
            }
        }
        have -= frame;
        if (have > 0)
            memmove(buf, buf + frame, have);
    }
}


static int
pfsBenchEchoStart(pfsBenchRun *run, pfsBenchTarget *t)
{
    int sv[2];
    pid_t pid;

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        fprintf(stderr, "proxyfsbench: socketpair: %s\n", g_strerror(errno));
        return -1;
    }
    if ((pid = fork()) < 0) {
        fprintf(stderr, "proxyfsbench: fork: %s\n", g_strerror(errno));
        close(sv[0]);
        close(sv[1]);
        return -1;
    }
    if (pid == 0) {
        struct sigaction dfl = { .sa_handler = SIG_DFL };

        /* nothing of ours (helper sockets above all, whose EOF stops
         * the helpers) may stay open here */
        sigaction(SIGINT, &dfl, NULL);
        sigaction(SIGTERM, &dfl, NULL);
        sigaction(SIGHUP, &dfl, NULL);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (run->pinChildren)
            sched_setaffinity(0, sizeof(run->childCpus), &run->childCpus);
        if (getppid() == 1 || pfsCloseFdsExcept(3, &sv[1], 1) < 0)
            _exit(1);
        pfsBenchEchoServe(sv[1]);
    }
    close(sv[1]);
    pfsBenchSetTimeouts(sv[0]);
    t->pid = pid;
    t->sock = sv[0];
    return 0;
}


static int32_t
pfsBenchEcho(pfsBenchTarget *t, const pfsTestMsg *frame)
{
    uint32_t type;

    memcpy(&type, frame->buf, sizeof(type));
    t->served++;
    if (pfsBenchSendAll(t->sock, frame->buf, frame->len) < 0)
        return pfsBenchConnFailed(t, "sending", errno);
    if (type == PFS_PROXY_T_OPEN) {
        int32_t datum;
        int fd = -1;

        if (pfsFDRecvWithData(t->sock, &datum, sizeof(datum), &fd) != sizeof(datum) || fd < 0) {
            pfsForceClose(&fd);
            return pfsBenchConnFailed(t, "reading an echoed fd", errno);
        }
        close(fd);
        t->fds++;
        return 0;
    } else {
        size_t have = 0;

        while (have < frame->len) {
            ssize_t r = recv(t->sock, t->in + have, frame->len - have, 0);
            if (r < 0 && errno == EINTR && !pfsBenchInterrupted)
                continue;
            if (r <= 0)
                return pfsBenchConnFailed(t, "reading an echo", r < 0 ? errno : 0);
            have += r;
        }
        t->plain++;
        return 0;
    }
}


/* ------------------------------------------------------------------ */
/* The operations                                                      */
/* ------------------------------------------------------------------ */

static int
pfsBenchUnexpected(pfsBenchTarget *t, const char *what, int32_t got, int32_t want)
{
    if (got == PFS_BENCH_CONN_FAILED)
        return -1;
    fprintf(stderr, "proxyfsbench: %s: %s answered %d (%s), expected %d\n",
            t->label, what, got, got < 0 ? g_strerror(-got) : "no error", want);
    return -1;
}

#define PFS_BENCH_EXPECT(t, what, call, want) \
    do { \
        int32_t pfs_got = (call); \
        if (pfs_got != (want)) \
            return pfsBenchUnexpected((t), (what), pfs_got, (want)); \
    } while (0)


static int
pfsBenchStepLstat(pfsBenchRun *run, pfsBenchTarget *t, guint64 i)
{
    PFS_BENCH_EXPECT(t, "lstat", pfsBenchLstat(t, run->file), 0);
    return 1;
}


static int
pfsBenchStepOpen(pfsBenchRun *run, pfsBenchTarget *t, guint64 i)
{
    PFS_BENCH_EXPECT(t, "open", pfsBenchOpen(t, run->file, O_RDONLY), 0);
    return 1;
}


static int
pfsBenchStepCreate(pfsBenchRun *run, pfsBenchTarget *t, guint64 i)
{
    PFS_BENCH_EXPECT(t, "create",
                     pfsBenchCreate(t, run->fresh, O_WRONLY | O_CREAT | O_EXCL, 0644,
                                    run->uid, run->gid), 0);
    PFS_BENCH_EXPECT(t, "remove", pfsBenchRemove(t, run->fresh), 0);
    return 1;
}


static int
pfsBenchStepMkdir(pfsBenchRun *run, pfsBenchTarget *t, guint64 i)
{
    PFS_BENCH_EXPECT(t, "mkdir", pfsBenchMkdir(t, run->fresh, 0755, run->uid, run->gid), 0);
    PFS_BENCH_EXPECT(t, "remove", pfsBenchRemove(t, run->fresh), 0);
    return 1;
}


static int
pfsBenchStepSymlink(pfsBenchRun *run, pfsBenchTarget *t, guint64 i)
{
    PFS_BENCH_EXPECT(t, "symlink",
                     pfsBenchSymlink(t, PFS_BENCH_LINK_TARGET, run->fresh, run->uid, run->gid), 0);
    PFS_BENCH_EXPECT(t, "remove", pfsBenchRemove(t, run->fresh), 0);
    return 1;
}


static int
pfsBenchStepChmod(pfsBenchRun *run, pfsBenchTarget *t, guint64 i)
{
    PFS_BENCH_EXPECT(t, "chmod", pfsBenchChmod(t, run->file, (i & 1) ? 0640 : 0644), 0);
    return 1;
}


static int
pfsBenchStepChown(pfsBenchRun *run, pfsBenchTarget *t, guint64 i)
{
    PFS_BENCH_EXPECT(t, "chown",
                     pfsBenchChown(t, run->file, run->uid, (i & 1) ? run->gidAlt : run->gid), 0);
    return 1;
}


static int
pfsBenchStepTruncate(pfsBenchRun *run, pfsBenchTarget *t, guint64 i)
{
    PFS_BENCH_EXPECT(t, "truncate", pfsBenchTruncate(t, run->file, (i & 1) ? 4096 : 0), 0);
    return 1;
}


static int
pfsBenchStepUtime(pfsBenchRun *run, pfsBenchTarget *t, guint64 i)
{
    PFS_BENCH_EXPECT(t, "utime",
                     pfsBenchUtime(t, run->file, 1700000000 + (int64_t)i,
                                   (int64_t)(i % 1000000000)), 0);
    return 1;
}


static int
pfsBenchStepRename(pfsBenchRun *run, pfsBenchTarget *t, guint64 i)
{
    if (i & 1)
        PFS_BENCH_EXPECT(t, "rename", pfsBenchRename(t, run->renB, run->renA), 0);
    else
        PFS_BENCH_EXPECT(t, "rename", pfsBenchRename(t, run->renA, run->renB), 0);
    return 1;
}


static int
pfsBenchStepReadlink(pfsBenchRun *run, pfsBenchTarget *t, guint64 i)
{
    PFS_BENCH_EXPECT(t, "readlink", pfsBenchReadlink(t, run->link), 0);
    return 1;
}


static int
pfsBenchStepStatfs(pfsBenchRun *run, pfsBenchTarget *t, guint64 i)
{
    PFS_BENCH_EXPECT(t, "statfs", pfsBenchStatfs(t, run->file), 0);
    return 1;
}


static int
pfsBenchStepXattrProbe(pfsBenchRun *run, pfsBenchTarget *t, guint64 i)
{
    PFS_BENCH_EXPECT(t, "xattr size probe", pfsBenchXattrGet(t, run->file, 0),
                     PFS_BENCH_XATTR_LEN);
    return 1;
}


static int
pfsBenchStepXattrGet(pfsBenchRun *run, pfsBenchTarget *t, guint64 i)
{
    PFS_BENCH_EXPECT(t, "xattr get",
                     pfsBenchXattrGet(t, run->file, PFS_BENCH_XATTR_LEN), 0);
    if (!pfsBenchIsLocal(t) && t->replyLen != 2 + PFS_BENCH_XATTR_LEN)
        return pfsBenchUnexpected(t, "xattr get (reply length)", t->replyLen,
                                  2 + PFS_BENCH_XATTR_LEN);
    return 1;
}


static int
pfsBenchStepXattrSet(pfsBenchRun *run, pfsBenchTarget *t, guint64 i)
{
    PFS_BENCH_EXPECT(t, "xattr set", pfsBenchXattrSet(t, run->file), 0);
    return 1;
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
static int
pfsBenchStepMixed(pfsBenchRun *run, pfsBenchTarget *t, guint64 i)
{
    char dir[PATH_MAX];
    char path[PATH_MAX];
    guint64 before = t->plain + t->fds;
    int d, f;

#define PFS_BENCH_MIX_FILE(fi) \
    g_snprintf(path, sizeof(path), "%s/f%d.c", dir, (fi))
#define PFS_BENCH_MIX_LINK() \
    g_snprintf(path, sizeof(path), "%s/link", dir)
#define PFS_BENCH_MIX_DIR(di) \
    g_snprintf(dir, sizeof(dir), "%s/d%d", run->mix, (di))

    /* tar x */
    for (d = 0; d < PFS_BENCH_MIX_DIRS; d++) {
        PFS_BENCH_MIX_DIR(d);
        PFS_BENCH_EXPECT(t, "mixed: lookup", pfsBenchLstat(t, dir), -ENOENT);
        PFS_BENCH_EXPECT(t, "mixed: mkdir", pfsBenchMkdir(t, dir, 0755, run->uid, run->gid), 0);
        PFS_BENCH_EXPECT(t, "mixed: getattr", pfsBenchLstat(t, dir), 0);
        for (f = 0; f < PFS_BENCH_MIX_FILES; f++) {
            PFS_BENCH_MIX_FILE(f);
            PFS_BENCH_EXPECT(t, "mixed: lookup", pfsBenchLstat(t, path), -ENOENT);
            PFS_BENCH_EXPECT(t, "mixed: create",
                             pfsBenchCreate(t, path, O_WRONLY | O_CREAT | O_EXCL, 0644,
                                            run->uid, run->gid), 0);
            PFS_BENCH_EXPECT(t, "mixed: getattr", pfsBenchLstat(t, path), 0);
            PFS_BENCH_EXPECT(t, "mixed: utime",
                             pfsBenchUtime(t, path, 1700000000, 0), 0);
        }
        PFS_BENCH_MIX_LINK();
        PFS_BENCH_EXPECT(t, "mixed: lookup", pfsBenchLstat(t, path), -ENOENT);
        PFS_BENCH_EXPECT(t, "mixed: symlink",
                         pfsBenchSymlink(t, "f0.c", path, run->uid, run->gid), 0);
        PFS_BENCH_EXPECT(t, "mixed: getattr", pfsBenchLstat(t, path), 0);
    }
    for (d = 0; d < PFS_BENCH_MIX_DIRS; d++) {
        PFS_BENCH_MIX_DIR(d);
        PFS_BENCH_EXPECT(t, "mixed: utime", pfsBenchUtime(t, dir, 1700000000, 0), 0);
    }

    /* find */
    PFS_BENCH_EXPECT(t, "mixed: opendir",
                     pfsBenchOpen(t, run->mix, O_RDONLY | O_DIRECTORY), 0);
    for (d = 0; d < PFS_BENCH_MIX_DIRS; d++) {
        PFS_BENCH_MIX_DIR(d);
        PFS_BENCH_EXPECT(t, "mixed: walk", pfsBenchLstat(t, dir), 0);
        PFS_BENCH_EXPECT(t, "mixed: getattr", pfsBenchLstat(t, dir), 0);
        PFS_BENCH_EXPECT(t, "mixed: opendir", pfsBenchOpen(t, dir, O_RDONLY | O_DIRECTORY), 0);
        for (f = 0; f <= PFS_BENCH_MIX_FILES; f++) {
            if (f < PFS_BENCH_MIX_FILES)
                PFS_BENCH_MIX_FILE(f);
            else
                PFS_BENCH_MIX_LINK();
            PFS_BENCH_EXPECT(t, "mixed: walk", pfsBenchLstat(t, path), 0);
            PFS_BENCH_EXPECT(t, "mixed: getattr", pfsBenchLstat(t, path), 0);
        }
    }

    /* git status */
    for (d = 0; d < PFS_BENCH_MIX_DIRS; d++) {
        PFS_BENCH_MIX_DIR(d);
        for (f = 0; f < PFS_BENCH_MIX_FILES; f++) {
            PFS_BENCH_MIX_FILE(f);
            PFS_BENCH_EXPECT(t, "mixed: walk", pfsBenchLstat(t, path), 0);
            PFS_BENCH_EXPECT(t, "mixed: getattr", pfsBenchLstat(t, path), 0);
            if (f == 0)
                PFS_BENCH_EXPECT(t, "mixed: open", pfsBenchOpen(t, path, O_RDONLY), 0);
        }
        PFS_BENCH_MIX_LINK();
        PFS_BENCH_EXPECT(t, "mixed: walk", pfsBenchLstat(t, path), 0);
        PFS_BENCH_EXPECT(t, "mixed: readlink", pfsBenchReadlink(t, path), 0);
    }

    /* rm -rf */
    for (d = 0; d < PFS_BENCH_MIX_DIRS; d++) {
        PFS_BENCH_MIX_DIR(d);
        PFS_BENCH_EXPECT(t, "mixed: opendir", pfsBenchOpen(t, dir, O_RDONLY | O_DIRECTORY), 0);
        for (f = 0; f <= PFS_BENCH_MIX_FILES; f++) {
            if (f < PFS_BENCH_MIX_FILES)
                PFS_BENCH_MIX_FILE(f);
            else
                PFS_BENCH_MIX_LINK();
            PFS_BENCH_EXPECT(t, "mixed: walk", pfsBenchLstat(t, path), 0);
            PFS_BENCH_EXPECT(t, "mixed: remove", pfsBenchRemove(t, path), 0);
        }
        PFS_BENCH_EXPECT(t, "mixed: walk", pfsBenchLstat(t, dir), 0);
        PFS_BENCH_EXPECT(t, "mixed: remove", pfsBenchRemove(t, dir), 0);
    }

#undef PFS_BENCH_MIX_FILE
#undef PFS_BENCH_MIX_LINK
#undef PFS_BENCH_MIX_DIR

    return (int)(t->plain + t->fds - before);
}


static int
pfsBenchStepEcho(pfsBenchRun *run, pfsBenchTarget *t, guint64 i)
{
    return pfsBenchEcho(t, run->echoFrame) < 0 ? -1 : 1;
}


static int
pfsBenchStepEchoFd(pfsBenchRun *run, pfsBenchTarget *t, guint64 i)
{
    return pfsBenchEcho(t, run->echoFdFrame) < 0 ? -1 : 1;
}


static const pfsBenchOp pfsBenchOps[] = {
    { "lstat", "T_LSTAT of a file", false, pfsBenchStepLstat },
    { "open", "T_OPEN O_RDONLY, the fd received and closed", false, pfsBenchStepOpen },
    { "create", "T_CREATE O_EXCL (fd received and closed) + T_REMOVE", false, pfsBenchStepCreate },
    { "mkdir", "T_MKDIR + T_REMOVE", false, pfsBenchStepMkdir },
    { "symlink", "T_SYMLINK + T_REMOVE", false, pfsBenchStepSymlink },
    { "chmod", "T_CHMOD, alternating 0644/0640", false, pfsBenchStepChmod },
    { "chown", "T_CHOWN, alternating the group", false, pfsBenchStepChown },
    { "truncate", "T_TRUNCATE, alternating 0/4096 bytes", false, pfsBenchStepTruncate },
    { "utime", "T_UTIME with explicit times", false, pfsBenchStepUtime },
    { "rename", "T_RENAME, back and forth (one rename per operation)", false, pfsBenchStepRename },
    { "readlink", "T_READLINK with QEMU's 4096-byte buffer", false, pfsBenchStepReadlink },
    { "statfs", "T_STATFS of a file", false, pfsBenchStepStatfs },
    { "xattr-probe", "T_LGETXATTR size 0 (the length of a 32-byte user xattr)", true, pfsBenchStepXattrProbe },
    { "xattr-get", "T_LGETXATTR of a 32-byte user xattr", true, pfsBenchStepXattrGet },
    { "xattr-set", "T_LSETXATTR of a 32-byte user xattr", true, pfsBenchStepXattrSet },
    { "mixed", "a guest's tar x, find, git status, rm -rf of 24 files (rate in requests)", false, pfsBenchStepMixed },
};

static const pfsBenchOp pfsBenchEchoOp = { "echo", "bare round trip", false, pfsBenchStepEcho };
static const pfsBenchOp pfsBenchEchoFdOp = { "echo-fd", "bare round trip with an fd", false, pfsBenchStepEchoFd };


/* ------------------------------------------------------------------ */
/* Exports and measurement                                             */
/* ------------------------------------------------------------------ */

/* The layout every measurement starts from, made from the host side. */
static int
pfsBenchFixtures(pfsBenchRun *run, pfsBenchTarget *t)
{
    g_autofree char *work = g_build_filename(t->exportPath, run->work, NULL);
    g_autofree char *file = g_build_filename(t->exportPath, run->file, NULL);
    g_autofree char *fresh = g_build_filename(t->exportPath, run->fresh, NULL);
    g_autofree char *link = g_build_filename(t->exportPath, run->link, NULL);
    g_autofree char *renA = g_build_filename(t->exportPath, run->renA, NULL);
    g_autofree char *renB = g_build_filename(t->exportPath, run->renB, NULL);
    g_autofree char *mix = g_build_filename(t->exportPath, run->mix, NULL);
    PFS_AUTOCLOSE fd = -1;
    struct stat st;

    if (g_mkdir_with_parents(work, 0755) < 0 ||
        (run->work[0] && lchown(work, run->uid, run->gid) < 0))
        goto error;

    if ((fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0 ||
        fchown(fd, run->uid, run->gid) < 0 || fchmod(fd, 0644) < 0)
        goto error;
    if (run->xattrs &&
        fsetxattr(fd, PFS_BENCH_XATTR_NAME, PFS_BENCH_XATTR_VALUE, PFS_BENCH_XATTR_LEN, 0) < 0)
        goto error;

    if (lstat(link, &st) < 0 &&
        (symlink(PFS_BENCH_LINK_TARGET, link) < 0 || lchown(link, run->uid, run->gid) < 0))
        goto error;

    if (lstat(renB, &st) == 0 && rename(renB, renA) < 0)
        goto error;
    if (lstat(renA, &st) < 0) {
        pfsForceClose(&fd);
        if ((fd = open(renA, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) < 0 ||
            fchown(fd, run->uid, run->gid) < 0)
            goto error;
    }

    if (remove(fresh) < 0 && errno != ENOENT)
        goto error;
    pfsBenchRemoveTree(mix);
    if (mkdir(mix, 0755) < 0 || lchown(mix, run->uid, run->gid) < 0)
        goto error;
    return 0;

 error:
    fprintf(stderr, "proxyfsbench: cannot prepare the export '%s': %s\n",
            t->exportPath, g_strerror(errno));
    return -1;
}


/* Get @t ready for a slice: its fixtures, and for the in-process floor
 * its export as the working directory, the way a chrooted helper
 * resolves paths. */
static int
pfsBenchEnter(pfsBenchRun *run, pfsBenchTarget *t)
{
    if (t->kind != PFS_BENCH_TARGET_ECHO && pfsBenchFixtures(run, t) < 0)
        return -1;
    if (pfsBenchIsLocal(t) && chdir(t->exportPath) < 0) {
        fprintf(stderr, "proxyfsbench: cannot enter '%s': %s\n", t->exportPath,
                g_strerror(errno));
        return -1;
    }
    return 0;
}


static int
pfsBenchLeave(pfsBenchRun *run, pfsBenchTarget *t)
{
    if (pfsBenchIsLocal(t) && fchdir(run->cwd) < 0) {
        fprintf(stderr, "proxyfsbench: cannot return to the starting directory: %s\n",
                g_strerror(errno));
        return -1;
    }
    return 0;
}


/* One slice: @op on @t for @seconds (or --count steps, then without
 * warm-up) after a warm-up of a tenth of that. Adds to @acc and returns
 * the slice's rate, or -1. */
static double
pfsBenchSlice(pfsBenchRun *run, pfsBenchTarget *t, const pfsBenchOp *op,
              double seconds, pfsBenchSample *acc)
{
    guint64 count = run->opts->count;
    guint64 steps = 0;
    guint64 iterations = 0;
    double start, now, end;
    double rate = -1;

    if (pfsBenchEnter(run, t) < 0)
        return -1;

    if (count == 0) {
        double warm = pfsBenchNow() + seconds / 10;

        do {
            if (op->step(run, t, steps++) < 0)
                goto cleanup;
        } while (pfsBenchNow() < warm);
    }

    t->plain = t->fds = 0;
    start = now = pfsBenchNow();
    end = start + seconds;
    for (;;) {
        int n;

        if (pfsBenchInterrupted)
            goto cleanup;
        if ((n = op->step(run, t, steps++)) < 0)
            goto cleanup;
        iterations += n;
        if (count > 0) {
            if (steps >= count)
                break;
        } else if ((now = pfsBenchNow()) >= end) {
            break;
        }
    }
    if (count > 0)
        now = pfsBenchNow();
    acc->seconds += now - start;
    acc->iterations += iterations;
    acc->plain += t->plain;
    acc->fds += t->fds;
    rate = iterations / (now - start);

 cleanup:
    if (pfsBenchLeave(run, t) < 0)
        rate = -1;
    return rate;
}


static void
pfsBenchTargetFree(pfsBenchTarget *t)
{
    if (!t)
        return;
    g_free(t->label);
    g_free(t->exportPath);
    g_free(t->logPath);
    g_free(t);
}


static void
pfsBenchPrintLog(pfsBenchTarget *t)
{
    g_autofree char *log = NULL;

    if (t->logPath && g_file_get_contents(t->logPath, &log, NULL, NULL) && log[0])
        fprintf(stderr, "proxyfsbench: %s's log:\n%s", t->label, log);
}


/* Check the connection the way QEMU does at device realize: T_LSTAT "/"
 * must answer with a directory. */
static int
pfsBenchRealize(pfsBenchTarget *t)
{
    struct stat st;
    int32_t r;

    pfsTestMsgBuild(t->msg, PFS_PROXY_T_LSTAT, "p", "/");
    if ((r = pfsBenchCall(t)) != 0)
        return pfsBenchUnexpected(t, "T_LSTAT \"/\"", r, 0);
    pfsTestDecodeStat(t->in + PFS_PROXY_HEADER_SIZE, &st);
    if (!S_ISDIR(st.st_mode)) {
        fprintf(stderr, "proxyfsbench: %s: the export root is not a directory\n", t->label);
        return -1;
    }
    return 0;
}


static pfsBenchTarget *
pfsBenchTargetNew(pfsBenchRun *run, pfsBenchTargetKind kind, const char *label,
                  const char *dirName)
{
    pfsBenchTarget *t = g_new0(pfsBenchTarget, 1);

    t->kind = kind;
    t->label = g_strdup(label);
    t->pid = -1;
    t->sock = -1;
    t->msg = run->msg;
    t->in = run->in;
    if (dirName) {
        t->exportPath = g_build_filename(run->top, dirName, NULL);
        if (mkdir(t->exportPath, 0755) < 0) {
            fprintf(stderr, "proxyfsbench: cannot create '%s': %s\n", t->exportPath,
                    g_strerror(errno));
            pfsBenchTargetFree(t);
            return NULL;
        }
    }
    return t;
}


static pfsBenchTarget *
pfsBenchHelperStart(pfsBenchRun *run, const pfsBenchHelperSpec *spec, size_t index)
{
    g_autofree char *dirName = g_strdup_printf("export-%zu-%s", index, spec->label);
    pfsBenchTarget *t = pfsBenchTargetNew(run, PFS_BENCH_TARGET_HELPER, spec->label, dirName);
    PFS_AUTOCLOSE logfd = -1;
    pfsBenchProc proc;

    if (!t)
        return NULL;
    t->spec = spec;
    t->logPath = g_strdup_printf("%s/%s.log", run->top, dirName);
    if ((logfd = open(t->logPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
        fprintf(stderr, "proxyfsbench: cannot create '%s': %s\n", t->logPath, g_strerror(errno));
        goto error;
    }
    if (pfsBenchFixtures(run, t) < 0)
        goto error;
    if (pfsBenchSpawn(run, spec, t->exportPath, logfd, true, &proc) < 0)
        goto error;
    t->pid = proc.pid;
    t->sock = proc.sock;
    if (pfsBenchWaitReady(&proc, t->label) < 0 || pfsBenchRealize(t) < 0) {
        pfsBenchProcStop(&proc);
        t->pid = -1;
        t->sock = -1;
        pfsBenchPrintLog(t);
        goto error;
    }
    return t;

 error:
    pfsBenchTargetFree(t);
    return NULL;
}


/* Stop a helper or the echo child; reports an unexpected end. */
static void
pfsBenchTargetStop(pfsBenchTarget *t)
{
    pfsBenchProc proc = { .pid = t->pid, .sock = t->sock, .ready = -1 };
    int status;

    if (t->pid <= 0) {
        pfsForceClose(&t->sock);
        return;
    }
    status = pfsBenchProcStop(&proc);
    t->pid = -1;
    t->sock = -1;
    if (t->kind == PFS_BENCH_TARGET_HELPER &&
        !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
        fprintf(stderr, "proxyfsbench: %s ended with %s %d\n", t->label,
                WIFSIGNALED(status) ? "signal" : "status",
                WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
        pfsBenchPrintLog(t);
    }
}


typedef struct _pfsBenchMem pfsBenchMem;
struct _pfsBenchMem {
    guint64 rss;
    guint64 pss;
    guint64 privateKb;   /* Private_Clean + Private_Dirty */
    guint64 anon;
};


static int
pfsBenchReadMem(pid_t pid, pfsBenchMem *mem)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/smaps_rollup", (int)pid);
    g_autofree char *content = NULL;

    memset(mem, 0, sizeof(*mem));
    if (!g_file_get_contents(path, &content, NULL, NULL))
        return -1;
    mem->rss = pfsBenchKbField(content, "Rss");
    mem->pss = pfsBenchKbField(content, "Pss");
    mem->privateKb = pfsBenchKbField(content, "Private_Clean") +
                     pfsBenchKbField(content, "Private_Dirty");
    mem->anon = pfsBenchKbField(content, "Anonymous");
    return 0;
}


/* CPU time (user and system, seconds) and context switches of @pid so
 * far, all its threads included. */
static int
pfsBenchReadCpu(pid_t pid, double *user, double *sys, guint64 *voluntary, guint64 *involuntary)
{
    g_autofree char *statPath = g_strdup_printf("/proc/%d/stat", (int)pid);
    g_autofree char *statusPath = g_strdup_printf("/proc/%d/status", (int)pid);
    g_autofree char *stat = NULL;
    g_autofree char *status = NULL;
    g_auto(GStrv) fields = NULL;
    const char *rest;
    long tick = sysconf(_SC_CLK_TCK);

    if (!g_file_get_contents(statPath, &stat, NULL, NULL) ||
        !g_file_get_contents(statusPath, &status, NULL, NULL) ||
        !(rest = strrchr(stat, ')')))
        return -1;
    /* after "pid (comm)": state is field 3, utime 14 and stime 15 */
    fields = g_strsplit(rest + 2, " ", -1);
    if (g_strv_length(fields) < 13)
        return -1;
    *user = (double)g_ascii_strtoull(fields[11], NULL, 10) / tick;
    *sys = (double)g_ascii_strtoull(fields[12], NULL, 10) / tick;
    *voluntary = pfsBenchKbField(status, "voluntary_ctxt_switches");
    *involuntary = pfsBenchKbField(status, "nonvoluntary_ctxt_switches");
    return 0;
}


/* How busy the machine is, and how much of that is us. */
typedef struct _pfsBenchCpuSnap pfsBenchCpuSnap;
struct _pfsBenchCpuSnap {
    double busy;         /* seconds of all CPUs not idle */
    double total;        /* seconds of all CPUs */
    double ours;         /* seconds used by us, the helpers and the echo child */
};


static void
pfsBenchCpuSnapshot(pfsBenchTarget **targets, size_t ntargets, pfsBenchCpuSnap *snap)
{
    g_autofree char *stat = NULL;
    long tick = sysconf(_SC_CLK_TCK);
    size_t i;

    memset(snap, 0, sizeof(*snap));
    if (g_file_get_contents("/proc/stat", &stat, NULL, NULL) && g_str_has_prefix(stat, "cpu ")) {
        g_auto(GStrv) f = g_strsplit_set(stat + 4, " \n", 12);
        guint64 v[10] = { 0 };
        size_t k, n = 0;

        /* user nice system idle iowait irq softirq steal (guest is in user) */
        for (k = 0; f[k] && n < G_N_ELEMENTS(v); k++) {
            if (f[k][0])
                v[n++] = g_ascii_strtoull(f[k], NULL, 10);
        }
        snap->total = (double)(v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7]) / tick;
        snap->busy = (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / tick;
    }
    for (i = 0; i <= ntargets; i++) {
        double user, sys;
        guint64 vol, invol;

        if (pfsBenchReadCpu(i < ntargets ? targets[i]->pid : getpid(),
                            &user, &sys, &vol, &invol) == 0)
            snap->ours += user + sys;
    }
}


/* The share of the whole machine's CPU that others used between two
 * snapshots, in percent: anything above a few percent disturbed the
 * measurement. */
static double
pfsBenchCpuOthers(const pfsBenchCpuSnap *before, const pfsBenchCpuSnap *after)
{
    double total = after->total - before->total;
    double others = (after->busy - before->busy) - (after->ours - before->ours);

    if (total <= 0)
        return NAN;
    return MAX(0, 100.0 * others / total);
}


/* ------------------------------------------------------------------ */
/* Reports                                                             */
/* ------------------------------------------------------------------ */

typedef struct _pfsBenchReport pfsBenchReport;
struct _pfsBenchReport {
    const pfsBenchOp **ops;
    size_t nops;
    pfsBenchTarget **helpers;
    size_t nhelpers;
    size_t nslots;       /* helpers, in-process, echo, echo with fd */
    int reps;
    pfsBenchSample *samples;
    double *others;      /* per operation: CPU used by everything else, % */
};


static pfsBenchSample *
pfsBenchSampleAt(pfsBenchReport *rep, size_t op, size_t slot, int r)
{
    return &rep->samples[(op * rep->nslots + slot) * rep->reps + r];
}


static double
pfsBenchSecondsPerIteration(const pfsBenchSample *s)
{
    return 1.0 / s->rate;
}


/* The floor of one repetition, in seconds per operation: the in-process
 * calls, plus one echo round trip per request the operation makes (with
 * an fd for the requests answered with one). */
static double
pfsBenchFloorSeconds(pfsBenchReport *rep, size_t op, int r, double *ipc)
{
    pfsBenchSample *local = pfsBenchSampleAt(rep, op, rep->nhelpers, r);
    pfsBenchSample *echo = pfsBenchSampleAt(rep, op, rep->nhelpers + 1, r);
    pfsBenchSample *echoFd = pfsBenchSampleAt(rep, op, rep->nhelpers + 2, r);
    double plain = (double)local->plain / local->iterations;
    double fds = (double)local->fds / local->iterations;
    double comm = plain * pfsBenchSecondsPerIteration(echo) +
                  fds * pfsBenchSecondsPerIteration(echoFd);

    if (ipc)
        *ipc = comm;
    return pfsBenchSecondsPerIteration(local) + comm;
}


/* Median over repetitions of operations per second of a slot. */
static double
pfsBenchMedianRate(pfsBenchReport *rep, size_t op, size_t slot)
{
    g_autofree double *v = g_new0(double, rep->reps);
    int r;

    for (r = 0; r < rep->reps; r++) {
        v[r] = pfsBenchSampleAt(rep, op, slot, r)->rate;
    }
    return pfsBenchMedian(v, rep->reps);
}


static double
pfsBenchMedianFloorRate(pfsBenchReport *rep, size_t op)
{
    g_autofree double *v = g_new0(double, rep->reps);
    int r;

    for (r = 0; r < rep->reps; r++)
        v[r] = 1.0 / pfsBenchFloorSeconds(rep, op, r, NULL);
    return pfsBenchMedian(v, rep->reps);
}


/* (max - min) / median of a slot's rates, in percent */
static double
pfsBenchSpread(pfsBenchReport *rep, size_t op, size_t slot)
{
    g_autofree double *v = g_new0(double, rep->reps);
    double med;
    int r;

    for (r = 0; r < rep->reps; r++) {
        v[r] = pfsBenchSampleAt(rep, op, slot, r)->rate;
    }
    med = pfsBenchMedian(v, rep->reps);
    return 100.0 * (v[rep->reps - 1] - v[0]) / med;
}


static void
pfsBenchPrintReport(pfsBenchRun *run, pfsBenchReport *rep)
{
    char head[64];
    size_t o, h;

    printf("\nOperations per second (median of %d; ratios of medians)\n\n", rep->reps);
    printf("%-12s", "operation");
    for (h = 0; h < rep->nhelpers; h++) {
        g_snprintf(head, sizeof(head), "%s/s", rep->helpers[h]->label);
        printf(" %11.11s", head);
    }
    printf(" %11s", "floor/s");
    if (rep->nhelpers >= 2) {
        g_snprintf(head, sizeof(head), "%s/%s", rep->helpers[0]->label,
                   rep->helpers[1]->label);
        printf(" %11.11s", head);
    }
    for (h = 0; h < rep->nhelpers; h++) {
        g_snprintf(head, sizeof(head), "%s/floor", rep->helpers[h]->label);
        printf(" %11.11s", head);
    }
    printf("\n");

    for (o = 0; o < rep->nops; o++) {
        double floorRate = pfsBenchMedianFloorRate(rep, o);
        g_autofree double *rates = g_new0(double, rep->nhelpers);

        printf("%-12s", rep->ops[o]->name);
        for (h = 0; h < rep->nhelpers; h++) {
            rates[h] = pfsBenchMedianRate(rep, o, h);
            printf(" %11.0f", rates[h]);
        }
        printf(" %11.0f", floorRate);
        if (rep->nhelpers >= 2)
            printf(" %11.2f", rates[0] / rates[1]);
        for (h = 0; h < rep->nhelpers; h++)
            printf(" %11.2f", rates[h] / floorRate);
        printf("\n");
    }

    printf("\nWhere the time goes (microseconds per operation, medians)\n\n");
    printf("%-12s %5s %9s %9s %9s", "operation", "reqs", "syscalls", "echo", "floor");
    for (h = 0; h < rep->nhelpers; h++)
        printf(" %9.9s", rep->helpers[h]->label);
    if (rep->nhelpers >= 1) {
        g_snprintf(head, sizeof(head), "%s-floor", rep->helpers[0]->label);
        printf(" %9.9s", head);
    }
    printf("\n");
    for (o = 0; o < rep->nops; o++) {
        g_autofree double *local = g_new0(double, rep->reps);
        g_autofree double *ipc = g_new0(double, rep->reps);
        g_autofree double *floorv = g_new0(double, rep->reps);
        pfsBenchSample *s0 = pfsBenchSampleAt(rep, o, rep->nhelpers, 0);
        double reqs = (double)(s0->plain + s0->fds) / s0->iterations;
        double floorUs;
        int r;

        for (r = 0; r < rep->reps; r++) {
            floorv[r] = pfsBenchFloorSeconds(rep, o, r, &ipc[r]) * 1e6;
            ipc[r] *= 1e6;
            local[r] = pfsBenchSecondsPerIteration(pfsBenchSampleAt(rep, o, rep->nhelpers, r)) * 1e6;
        }
        floorUs = pfsBenchMedian(floorv, rep->reps);
        printf("%-12s %5.2f %9.2f %9.2f %9.2f", rep->ops[o]->name, reqs,
               pfsBenchMedian(local, rep->reps), pfsBenchMedian(ipc, rep->reps), floorUs);
        for (h = 0; h < rep->nhelpers; h++)
            printf(" %9.2f", 1e6 / pfsBenchMedianRate(rep, o, h));
        if (rep->nhelpers >= 1)
            printf(" %9.2f", 1e6 / pfsBenchMedianRate(rep, o, 0) - floorUs);
        printf("\n");
    }

    printf("\nRun-to-run spread ((max - min) / median of the rates, %%), and the share of\n"
           "the machine's CPU that other processes (and kernel threads) used meanwhile\n\n");
    printf("%-12s", "operation");
    for (h = 0; h < rep->nhelpers; h++)
        printf(" %9.9s", rep->helpers[h]->label);
    printf(" %9s %9s %9s %9s\n", "syscalls", "echo", "echo-fd", "others %");
    for (o = 0; o < rep->nops; o++) {
        printf("%-12s", rep->ops[o]->name);
        for (h = 0; h < rep->nslots; h++)
            printf(" %9.1f", pfsBenchSpread(rep, o, h));
        printf(" %9.1f\n", rep->others[o]);
    }
    for (o = 0; o < rep->nops; o++) {
        if (rep->others[o] > 5) {
            printf("\nWARNING: other processes used more than 5%% of the CPU while some "
                   "operations ran;\nrun again on an idle machine before trusting those rows.\n");
            break;
        }
    }
}


/* What one cycle of the mixed workload sends, counted on the in-process
 * target (it sends the same requests). */
static int
pfsBenchPrintMixComposition(pfsBenchRun *run, pfsBenchTarget *local)
{
    guint64 total = 0;
    size_t type;
    int n;

    memset(local->byType, 0, sizeof(local->byType));
    if (pfsBenchFixtures(run, local) < 0 || chdir(local->exportPath) < 0)
        return -1;
    n = pfsBenchStepMixed(run, local, 0);
    if (fchdir(run->cwd) < 0 || n < 0)
        return -1;
    for (type = 0; type < PFS_PROXY_T_LAST; type++)
        total += local->byType[type];
    printf("  mixed       one cycle = %llu requests:", (unsigned long long)total);
    for (type = 0; type < PFS_PROXY_T_LAST; type++) {
        if (local->byType[type])
            printf(" %s %llu", pfsProxyTypeTypeToString(type),
                   (unsigned long long)local->byType[type]);
    }
    printf("\n");
    return 0;
}


/* ------------------------------------------------------------------ */
/* The protocol benchmark                                              */
/* ------------------------------------------------------------------ */

static bool
pfsBenchXattrsSupported(const char *dir)
{
    g_autofree char *probe = g_build_filename(dir, "xattr-probe", NULL);
    PFS_AUTOCLOSE fd = open(probe, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    bool ok;

    if (fd < 0)
        return false;
    ok = fsetxattr(fd, PFS_BENCH_XATTR_NAME, "x", 1, 0) == 0;
    unlink(probe);
    return ok;
}


static int
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


static int
pfsBenchProtocol(pfsBenchRun *run)
{
    g_autoptr(GPtrArray) ops = g_ptr_array_new();
    g_autoptr(GPtrArray) helpers = g_ptr_array_new();
    g_autoptr(GPtrArray) watched = g_ptr_array_new();
    pfsBenchTarget *local = NULL;
    pfsBenchTarget *echo = NULL;
    pfsBenchReport rep = { 0 };
    g_autofree double *sliceRates = NULL;
    double sliceSeconds;
    int nslices;
    int ret = -1;
    size_t i, o, h;
    int r;

    run->xattrs = pfsBenchXattrsSupported(run->top);
    if (pfsBenchSelectOps(run, ops) < 0)
        return -1;

    if (run->opts->count)
        printf("  run         %d repetitions of %lld iterations per operation and target, "
               "median reported\n", run->opts->reps, (long long)run->opts->count);
    else
        printf("  run         %d repetitions of %.2f s per operation and target (echo: half that),\n"
               "              each in slices of %.3f s taken in turns and its rate the median\n"
               "              of its slices; the median of the repetitions is reported\n",
               run->opts->reps, run->opts->seconds,
               run->opts->seconds / MAX(1, lround(run->opts->seconds / run->opts->slice)));
    printf("  paths       depth %d, as QEMU sends them: \"//%s\"; created as %u:%u\n",
           run->opts->depth, run->file, run->uid, run->gid);
    for (i = 0; i < run->nspecs; i++) {
        const pfsBenchHelperSpec *spec = &run->specs[i];
        printf("  helper      %s = %s%s%s\n", spec->label, spec->path,
               run->wrapperArgv ? " under " : "",
               run->wrapperArgv ? run->opts->wrapper : "");
        if (spec->ours)
            printf("              %s\n", geteuid() == 0 ?
                   "started as root: sandboxed, serving as its own user, as in production" :
                   "not root: --unprivileged, no sandbox (not what production runs)");
    }
    printf("  floor       the same system calls made by this process (uid %u) on an export\n"
           "              of the same filesystem, plus per request one round trip to an echo\n"
           "              child (fork, no exec; with an fd for T_OPEN and T_CREATE)\n",
           (unsigned int)geteuid());

    if (!(local = pfsBenchTargetNew(run, PFS_BENCH_TARGET_LOCAL, "syscalls", "inprocess")))
        goto cleanup;
    for (o = 0; o < ops->len; o++) {
        const pfsBenchOp *op = g_ptr_array_index(ops, o);

        if (op->step == pfsBenchStepMixed && pfsBenchPrintMixComposition(run, local) < 0) {
            fprintf(stderr, "proxyfsbench: the mixed workload fails in-process\n");
            goto cleanup;
        }
    }
    fflush(stdout);

    if (!(echo = pfsBenchTargetNew(run, PFS_BENCH_TARGET_ECHO, "echo", NULL)) ||
        pfsBenchEchoStart(run, echo) < 0)
        goto cleanup;
    for (i = 0; i < run->nspecs; i++) {
        pfsBenchTarget *t = pfsBenchHelperStart(run, &run->specs[i], i);
        if (!t)
            goto cleanup;
        g_ptr_array_add(helpers, t);
    }

    rep.ops = (const pfsBenchOp **)ops->pdata;
    rep.nops = ops->len;
    rep.helpers = (pfsBenchTarget **)helpers->pdata;
    rep.nhelpers = helpers->len;
    rep.nslots = helpers->len + 3;
    rep.reps = run->opts->reps;
    rep.samples = g_new0(pfsBenchSample, rep.nops * rep.nslots * rep.reps);
    /* Each repetition is made of short slices, the targets taking turns
     * (a different one first each time), and its rate is the median of
     * its slices: the hosts of virtual machines steal the CPU for a
     * tenth of a second now and then, which would otherwise land on
     * whichever target happened to run. The echo slices are half as
     * long: a round trip varies much less than a file operation. */
    nslices = run->opts->count ? 1 : MAX(1, (int)lround(run->opts->seconds / run->opts->slice));
    sliceSeconds = run->opts->seconds / nslices;
    sliceRates = g_new0(double, rep.nslots * nslices);

    rep.others = g_new0(double, rep.nops);
    /* ours: the CPU of these is not somebody else's */
    for (h = 0; h < helpers->len; h++)
        g_ptr_array_add(watched, g_ptr_array_index(helpers, h));
    g_ptr_array_add(watched, echo);
    for (o = 0; o < rep.nops; o++) {
        const pfsBenchOp *op = rep.ops[o];
        pfsBenchCpuSnap before, after;

        pfsBenchCpuSnapshot((pfsBenchTarget **)watched->pdata, watched->len, &before);
        fprintf(stderr, "proxyfsbench: %s (%s)\n", op->name, op->what);
        for (r = 0; r < rep.reps; r++) {
            size_t k, slot;
            int sl;

            for (sl = 0; sl < nslices; sl++) {
                for (k = 0; k < rep.nslots; k++) {
                    pfsBenchSample *s;
                    double rate;

                    slot = (k + r + sl) % rep.nslots;
                    s = pfsBenchSampleAt(&rep, o, slot, r);
                    if (slot < rep.nhelpers)
                        rate = pfsBenchSlice(run, rep.helpers[slot], op, sliceSeconds, s);
                    else if (slot == rep.nhelpers)
                        rate = pfsBenchSlice(run, local, op, sliceSeconds, s);
                    else if (slot == rep.nhelpers + 1)
                        rate = pfsBenchSlice(run, echo, &pfsBenchEchoOp, sliceSeconds / 2, s);
                    else
                        rate = pfsBenchSlice(run, echo, &pfsBenchEchoFdOp, sliceSeconds / 2, s);
                    if (rate <= 0) {
                        if (slot < rep.nhelpers)
                            pfsBenchPrintLog(rep.helpers[slot]);
                        pfsBenchCheckInterrupted();
                        goto cleanup;
                    }
                    sliceRates[slot * nslices + sl] = rate;
                }
            }

            for (slot = 0; slot < rep.nslots; slot++) {
                pfsBenchSample *s = pfsBenchSampleAt(&rep, o, slot, r);
                double *v = &sliceRates[slot * nslices];

                s->rate = pfsBenchMedian(v, nslices);
                if (run->opts->verbose)
                    fprintf(stderr, "  rep %d %-9s %10.0f/s %8.2f us  slices %.0f..%.0f/s  "
                            "(%llu in %.3f s)\n", r + 1,
                            slot < rep.nhelpers ? rep.helpers[slot]->label :
                            slot == rep.nhelpers ? "syscalls" :
                            slot == rep.nhelpers + 1 ? "echo" : "echo-fd",
                            s->rate, 1e6 / s->rate, v[0], v[nslices - 1],
                            (unsigned long long)s->iterations, s->seconds);
            }
        }
        pfsBenchCpuSnapshot((pfsBenchTarget **)watched->pdata, watched->len, &after);
        rep.others[o] = pfsBenchCpuOthers(&before, &after);
    }

    pfsBenchPrintReport(run, &rep);

    if (!run->wrapperArgv) {
        printf("\nCPU time of the serving side over the whole run, per request\n"
               "(/proc/PID/stat, all threads; 10 ms ticks)\n\n");
        printf("%-12s %10s %9s %9s %9s %9s\n", "process", "requests", "user us", "sys us",
               "csw vol", "csw invol");
        for (h = 0; h <= rep.nhelpers; h++) {
            pfsBenchTarget *t = h < rep.nhelpers ? rep.helpers[h] : echo;
            double user, sys;
            guint64 vol, invol;

            if (t->served == 0 || pfsBenchReadCpu(t->pid, &user, &sys, &vol, &invol) < 0)
                continue;
            printf("%-12s %10llu %9.2f %9.2f %9.2f %9.2f\n",
                   h < rep.nhelpers ? t->label : "echo child",
                   (unsigned long long)t->served, user * 1e6 / t->served,
                   sys * 1e6 / t->served, (double)vol / t->served,
                   (double)invol / t->served);
        }

        printf("\nHelper memory after the run (kB, /proc/PID/smaps_rollup)\n\n");
        printf("%-12s %9s %9s %9s %9s\n", "helper", "private", "anonymous", "rss", "pss");
        for (h = 0; h < rep.nhelpers; h++) {
            pfsBenchMem mem;
            if (pfsBenchReadMem(rep.helpers[h]->pid, &mem) < 0)
                continue;
            printf("%-12s %9llu %9llu %9llu %9llu\n", rep.helpers[h]->label,
                   (unsigned long long)mem.privateKb, (unsigned long long)mem.anon,
                   (unsigned long long)mem.rss, (unsigned long long)mem.pss);
        }
    }
    {
        g_autofree char *load = pfsBenchLoadAvg();
        printf("\n  load        %s at the end\n", load);
    }
    ret = 0;

 cleanup:
    for (h = 0; h < helpers->len; h++) {
        pfsBenchTargetStop(g_ptr_array_index(helpers, h));
        pfsBenchTargetFree(g_ptr_array_index(helpers, h));
    }
    if (echo)
        pfsBenchTargetStop(echo);
    pfsBenchTargetFree(echo);
    pfsBenchTargetFree(local);
    g_free(rep.samples);
    g_free(rep.others);
    return ret;
}


/* ------------------------------------------------------------------ */
/* Memory and start-up (--scale)                                       */
/* ------------------------------------------------------------------ */

static gint64
pfsBenchReadNumber(const char *path)
{
    g_autofree char *content = NULL;

    if (!g_file_get_contents(path, &content, NULL, NULL))
        return -1;
    g_strstrip(content);
    if (strcmp(content, "max") == 0)
        return G_MAXINT64;
    return g_ascii_strtoll(content, NULL, 10);
}


/* pids.max of our cgroup (v2, or v1's pids controller) */
static gint64
pfsBenchCgroupPidsMax(void)
{
    g_autofree char *content = NULL;
    g_auto(GStrv) lines = NULL;
    gint64 limit = G_MAXINT64;
    size_t i;

    if (!g_file_get_contents("/proc/self/cgroup", &content, NULL, NULL))
        return limit;
    lines = g_strsplit(content, "\n", -1);
    for (i = 0; lines[i]; i++) {
        g_auto(GStrv) f = g_strsplit(lines[i], ":", 3);
        g_autofree char *path = NULL;
        gint64 v;

        if (g_strv_length(f) != 3)
            continue;
        if (strcmp(f[0], "0") == 0 && f[1][0] == '\0')
            path = g_strdup_printf("/sys/fs/cgroup%s/pids.max", f[2]);
        else if (strcmp(f[1], "pids") == 0)
            path = g_strdup_printf("/sys/fs/cgroup/pids%s/pids.max", f[2]);
        else
            continue;
        if ((v = pfsBenchReadNumber(path)) > 0)
            limit = MIN(limit, v);
    }
    return limit;
}


/* Refuse to start @tasks more tasks unless they leave at least half of
 * the free pids free (this machine was once fork-bombed by accident). */
static int
pfsBenchCheckTaskBudget(guint64 tasks)
{
    g_autofree char *loadavg = NULL;
    gint64 pidMax = pfsBenchReadNumber("/proc/sys/kernel/pid_max");
    gint64 threadsMax = pfsBenchReadNumber("/proc/sys/kernel/threads-max");
    gint64 cgroupMax = pfsBenchCgroupPidsMax();
    gint64 limit = G_MAXINT64;
    gint64 running = 0;
    gint64 avail;
    struct rlimit nproc;
    const char *slash;

    if (pidMax > 0)
        limit = MIN(limit, pidMax);
    if (threadsMax > 0)
        limit = MIN(limit, threadsMax);
    limit = MIN(limit, cgroupMax);
    if (geteuid() != 0 && getrlimit(RLIMIT_NPROC, &nproc) == 0 &&
        nproc.rlim_cur != RLIM_INFINITY)
        limit = MIN(limit, (gint64)nproc.rlim_cur);
    /* the fourth field of /proc/loadavg: runnable/total tasks */
    if (g_file_get_contents("/proc/loadavg", &loadavg, NULL, NULL) &&
        (slash = strchr(loadavg, '/')))
        running = g_ascii_strtoll(slash + 1, NULL, 10);
    if (limit == G_MAXINT64 || running <= 0) {
        fprintf(stderr, "proxyfsbench: cannot tell how many tasks this machine has room for\n");
        return -1;
    }
    avail = limit > running ? limit - running : 0;
    printf("  tasks       %lld running, limit %lld (pid_max %lld, threads-max %lld, "
           "cgroup pids.max %lld); this needs %llu\n",
           (long long)running, (long long)limit, (long long)pidMax, (long long)threadsMax,
           cgroupMax == G_MAXINT64 ? -1LL : (long long)cgroupMax,
           (unsigned long long)tasks);
    if ((gint64)tasks > avail / 2) {
        fprintf(stderr, "proxyfsbench: %llu more tasks would use more than half of the %lld "
                "free; refusing\n", (unsigned long long)tasks, (long long)avail);
        return -1;
    }
    return 0;
}


static int
pfsBenchRaiseFileLimit(guint64 needed)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return -1;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < needed) {
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ? needed : MIN(rl.rlim_max, needed);
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < needed) {
        fprintf(stderr, "proxyfsbench: %llu file descriptors needed, the limit is %llu\n",
                (unsigned long long)needed, (unsigned long long)rl.rlim_cur);
        return -1;
    }
    return 0;
}


typedef struct _pfsBenchMeminfo pfsBenchMeminfo;
struct _pfsBenchMeminfo {
    gint64 available;
    gint64 slab;
    gint64 sunreclaim;
    gint64 pageTables;
    gint64 kernelStack;
};


static void
pfsBenchReadMeminfo(pfsBenchMeminfo *mi)
{
    g_autofree char *content = NULL;

    memset(mi, 0, sizeof(*mi));
    if (!g_file_get_contents("/proc/meminfo", &content, NULL, NULL))
        return;
    mi->available = pfsBenchKbField(content, "MemAvailable");
    mi->slab = pfsBenchKbField(content, "Slab");
    mi->sunreclaim = pfsBenchKbField(content, "SUnreclaim");
    mi->pageTables = pfsBenchKbField(content, "PageTables");
    mi->kernelStack = pfsBenchKbField(content, "KernelStack");
}


/* Namespaces and their mounts are freed after their last process exits,
 * from RCU callbacks and work queues: wait until the kernel's memory
 * stops moving, so that one set of helpers is not charged for the
 * clean-up of the one before. */
static void
pfsBenchSettle(void)
{
    pfsBenchMeminfo prev, now;
    double deadline = pfsBenchNow() + 20;

    pfsBenchReadMeminfo(&prev);
    while (pfsBenchNow() < deadline && !pfsBenchInterrupted) {
        g_usleep(G_USEC_PER_SEC);
        pfsBenchReadMeminfo(&now);
        if (ABS(now.sunreclaim - prev.sunreclaim) < 256 &&
            ABS(now.available - prev.available) < 1024)
            return;
        prev = now;
    }
}


/* Start @n helpers of @spec one after another, each on its own export
 * and socketpair, each until ready and past QEMU's first request; then
 * measure them idle; then stop them all. */
static int
pfsBenchScaleOne(pfsBenchRun *run, pfsBenchTarget *scratch,
                 const pfsBenchHelperSpec *spec, int n)
{
    g_autofree pfsBenchProc *procs = g_new0(pfsBenchProc, n);
    g_autofree double *priv = g_new0(double, n);
    g_autofree char *dir = g_strdup_printf("%s/scale-%s", run->top, spec->label);
    g_autofree char *logPath = g_strdup_printf("%s/scale-%s.log", run->top, spec->label);
    PFS_AUTOCLOSE logfd = -1;
    pfsBenchMeminfo before, after;
    pfsBenchMem sum = { 0 };
    double started, startSeconds, deadline;
    int nstarted = 0;
    int nmeasured = 0;
    int ret = -1;
    int i;

    if (mkdir(dir, 0755) < 0 ||
        (logfd = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) < 0) {
        fprintf(stderr, "proxyfsbench: cannot create '%s': %s\n", dir, g_strerror(errno));
        return -1;
    }

    pfsBenchSettle();
    pfsBenchReadMeminfo(&before);
    started = pfsBenchNow();
    for (i = 0; i < n; i++) {
        g_autofree char *exportPath = g_strdup_printf("%s/e%d", dir, i);

        if (pfsBenchCheckInterrupted())
            goto cleanup;
        if (mkdir(exportPath, 0755) < 0) {
            fprintf(stderr, "proxyfsbench: cannot create '%s': %s\n", exportPath,
                    g_strerror(errno));
            goto cleanup;
        }
        if (pfsBenchSpawn(run, spec, exportPath, logfd, true, &procs[i]) < 0)
            goto cleanup;
        nstarted++;
        scratch->sock = procs[i].sock;
        g_free(scratch->label);
        scratch->label = g_strdup_printf("%s #%d", spec->label, i);
        if (pfsBenchWaitReady(&procs[i], scratch->label) < 0 || pfsBenchRealize(scratch) < 0)
            goto cleanup;
    }
    startSeconds = pfsBenchNow() - started;
    pfsBenchSettle();
    pfsBenchReadMeminfo(&after);

    for (i = 0; i < n; i++) {
        pfsBenchMem mem;

        if (pfsBenchReadMem(procs[i].pid, &mem) < 0)
            continue;
        priv[nmeasured++] = mem.privateKb;
        sum.privateKb += mem.privateKb;
        sum.anon += mem.anon;
        sum.rss += mem.rss;
        sum.pss += mem.pss;
    }
    if (nmeasured == 0) {
        fprintf(stderr, "proxyfsbench: cannot read the memory of any helper\n");
        goto cleanup;
    }

    {
        double median = pfsBenchMedian(priv, nmeasured);
        double perHelper = (double)sum.privateKb / nmeasured;
        double kernelSide = (double)((after.sunreclaim - before.sunreclaim) +
                                     (after.pageTables - before.pageTables) +
                                     (after.kernelStack - before.kernelStack)) / n;

        printf("\n%s: %d idle helpers (started one at a time in %.2f s, each until ready and past T_LSTAT \"/\")\n",
               spec->label, n, startSeconds);
        printf("  private memory (Private_Clean + Private_Dirty) per helper: median %.0f kB, "
               "min %.0f, max %.0f, mean %.1f\n",
               median, priv[0], priv[nmeasured - 1], perHelper);
        printf("  per helper, mean: anonymous %.0f kB, rss %.0f kB, pss %.0f kB\n",
               (double)sum.anon / nmeasured, (double)sum.rss / nmeasured,
               (double)sum.pss / nmeasured);
        printf("  private memory of all %d: %.1f MiB; extrapolated to 1,000 helpers: %.1f MiB\n",
               nmeasured, sum.privateKb / 1024.0, perHelper * 1000 / 1024.0);
        printf("  the kernel's side, per helper (/proc/meminfo, system-wide change / %d): "
               "unreclaimable slab %+.0f kB, page tables %+.0f kB, kernel stacks %+.0f kB; "
               "total %+.0f kB (reclaimable slab %+.0f kB, MemAvailable %+.0f kB)\n", n,
               (double)(after.sunreclaim - before.sunreclaim) / n,
               (double)(after.pageTables - before.pageTables) / n,
               (double)(after.kernelStack - before.kernelStack) / n,
               kernelSide,
               (double)((after.slab - after.sunreclaim) - (before.slab - before.sunreclaim)) / n,
               (double)(after.available - before.available) / n);
        printf("  private plus the kernel's side, extrapolated to 1,000 helpers: %.1f MiB\n",
               (perHelper + kernelSide) * 1000 / 1024.0);
    }
    ret = 0;

 cleanup:
    /* every helper exits at the EOF of its socket: close them all first
     * so that they exit in parallel, then reap each */
    for (i = 0; i < nstarted; i++) {
        pfsForceClose(&procs[i].sock);
        pfsForceClose(&procs[i].ready);
    }
    deadline = pfsBenchNow() + PFS_BENCH_EXIT_TIMEOUT_MS / 1000.0;
    for (i = 0; i < nstarted; i++) {
        int status;

        if (procs[i].pid <= 0)
            continue;
        status = pfsBenchReap(procs[i].pid, deadline);
        if (ret == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
            fprintf(stderr, "proxyfsbench: %s #%d ended with wait status %#x\n",
                    spec->label, i, (unsigned int)status);
        }
    }
    if (ret < 0) {
        g_autofree char *log = NULL;
        if (g_file_get_contents(logPath, &log, NULL, NULL) && log[0])
            fprintf(stderr, "proxyfsbench: the helpers' log:\n%s", log);
    }
    scratch->sock = -1;
    pfsBenchRemoveTree(dir);
    unlink(logPath);
    return ret;
}


/* Fork+exec to ready ('0' on --ready-fd; ours only) and to the first
 * reply (T_LSTAT "/", as QEMU's realize), one helper at a time. */
static int
pfsBenchStartup(pfsBenchRun *run, pfsBenchTarget *scratch,
                const pfsBenchHelperSpec *spec, int runs)
{
    g_autofree double *ready = g_new0(double, runs);
    g_autofree double *first = g_new0(double, runs);
    g_autofree char *exportPath = g_strdup_printf("%s/startup-%s", run->top, spec->label);
    g_autofree char *logPath = g_strdup_printf("%s/startup-%s.log", run->top, spec->label);
    PFS_AUTOCLOSE logfd = -1;
    int ret = -1;
    int i;

    if (mkdir(exportPath, 0755) < 0 ||
        (logfd = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) < 0) {
        fprintf(stderr, "proxyfsbench: cannot create '%s': %s\n", exportPath, g_strerror(errno));
        return -1;
    }
    g_free(scratch->label);
    scratch->label = g_strdup(spec->label);

    for (i = 0; i < runs; i++) {
        pfsBenchProc proc;
        double t0 = pfsBenchNow();
        int status;

        if (pfsBenchCheckInterrupted())
            goto cleanup;
        if (pfsBenchSpawn(run, spec, exportPath, logfd, true, &proc) < 0)
            goto cleanup;
        if (pfsBenchWaitReady(&proc, spec->label) < 0) {
            pfsBenchProcStop(&proc);
            goto cleanup;
        }
        ready[i] = (pfsBenchNow() - t0) * 1e3;
        scratch->sock = proc.sock;
        if (pfsBenchRealize(scratch) < 0) {
            scratch->sock = -1;
            pfsBenchProcStop(&proc);
            goto cleanup;
        }
        first[i] = (pfsBenchNow() - t0) * 1e3;
        scratch->sock = -1;
        status = pfsBenchProcStop(&proc);
        if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
            fprintf(stderr, "proxyfsbench: %s ended with wait status %#x\n", spec->label,
                    (unsigned int)status);
            goto cleanup;
        }
    }

    /* pfsBenchMedian() sorts */
    if (spec->ours) {
        double med = pfsBenchMedian(ready, runs);
        printf("  %-8s fork+exec to ready ('0' on --ready-fd):  median %6.2f ms, min %6.2f, "
               "90th percentile %6.2f, max %6.2f\n", spec->label, med, ready[0],
               pfsBenchPercentile(ready, runs, 0.9), ready[runs - 1]);
    }
    {
        double med = pfsBenchMedian(first, runs);
        printf("  %-8s fork+exec to first reply (T_LSTAT \"/\"): median %6.2f ms, min %6.2f, "
               "90th percentile %6.2f, max %6.2f\n", spec->label, med, first[0],
               pfsBenchPercentile(first, runs, 0.9), first[runs - 1]);
    }
    ret = 0;

 cleanup:
    if (ret < 0) {
        g_autofree char *log = NULL;
        if (g_file_get_contents(logPath, &log, NULL, NULL) && log[0])
            fprintf(stderr, "proxyfsbench: the helper's log:\n%s", log);
    }
    pfsBenchRemoveTree(exportPath);
    unlink(logPath);
    return ret;
}


static int
pfsBenchScale(pfsBenchRun *run)
{
    pfsBenchTarget *scratch = pfsBenchTargetNew(run, PFS_BENCH_TARGET_HELPER, "helper", NULL);
    guint64 tasks = 0;
    int n = run->opts->scale;
    int ret = -1;
    size_t i;

    /* QEMU's helper has a second thread (QEMU's RCU thread) */
    for (i = 0; i < run->nspecs; i++)
        tasks = MAX(tasks, (guint64)n * (run->specs[i].ours ? 1 : 2));
    if (pfsBenchCheckTaskBudget(tasks) < 0 || pfsBenchRaiseFileLimit((guint64)n + 64) < 0)
        goto cleanup;
    for (i = 0; i < run->nspecs; i++) {
        printf("  helper      %s = %s%s\n", run->specs[i].label, run->specs[i].path,
               run->specs[i].ours ?
               (geteuid() == 0 ? " (started as root: sandboxed)" : " (--unprivileged)") : "");
    }

    printf("\nStart-up, %d runs each, one helper at a time\n\n", run->opts->startupRuns);
    for (i = 0; i < run->nspecs; i++) {
        if (pfsBenchStartup(run, scratch, &run->specs[i], run->opts->startupRuns) < 0)
            goto cleanup;
    }

    printf("\nIdle helpers\n");
    for (i = 0; i < run->nspecs; i++) {
        fflush(stdout);
        if (pfsBenchScaleOne(run, scratch, &run->specs[i], n) < 0)
            goto cleanup;
    }
    {
        g_autofree char *load = pfsBenchLoadAvg();
        printf("\n  load        %s at the end\n", load);
    }
    ret = 0;

 cleanup:
    pfsBenchTargetFree(scratch);
    return ret;
}


/* ------------------------------------------------------------------ */
/* Setting up                                                          */
/* ------------------------------------------------------------------ */

static bool
pfsBenchIsOurHelper(const char *path)
{
    g_autofree char *base = g_path_get_basename(path);

    return strcmp(base, "virt-proxyfs-helper") == 0;
}


static void
pfsBenchAddSpec(GArray *specs, const char *label, const char *path)
{
    pfsBenchHelperSpec spec = {
        .label = g_strdup(label),
        .path = g_strdup(path),
        .ours = pfsBenchIsOurHelper(path),
    };

    g_array_append_val(specs, spec);
}


static int
pfsBenchCollectHelpers(pfsBenchOptions *opts, GArray *specs)
{
    char **h;

    if (opts->ours)
        pfsBenchAddSpec(specs, "ours", PFS_BENCH_OUR_HELPER);
    if (opts->qemu)
        pfsBenchAddSpec(specs, "qemu", PFS_BENCH_QEMU_HELPER);
    for (h = opts->helpers; h && *h; h++) {
        /* LABEL=PATH, or PATH labelled by its name */
        const char *eq = strchr(*h, '=');
        g_autofree char *label = NULL;
        const char *path = *h;

        if (eq && !memchr(*h, '/', eq - *h)) {
            label = g_strndup(*h, eq - *h);
            path = eq + 1;
        } else {
            label = g_path_get_basename(*h);
        }
        pfsBenchAddSpec(specs, label, path);
    }

    if (specs->len == 0) {
        pfsBenchAddSpec(specs, "ours", PFS_BENCH_OUR_HELPER);
        /* QEMU's helper needs root (it keeps capabilities in a chroot) */
        if (geteuid() == 0 && access(PFS_BENCH_QEMU_HELPER, X_OK) == 0)
            pfsBenchAddSpec(specs, "qemu", PFS_BENCH_QEMU_HELPER);
        else
            fprintf(stderr, "proxyfsbench: %s is %s: measuring ours only\n",
                    PFS_BENCH_QEMU_HELPER,
                    geteuid() != 0 ? "only usable as root" : "not installed");
    }
    if (opts->busyPoll > 0) {
        g_autofree char *label = g_strdup_printf("poll%d", opts->busyPoll);

        pfsBenchAddSpec(specs, label, PFS_BENCH_OUR_HELPER);
        g_array_index(specs, pfsBenchHelperSpec, specs->len - 1).busyPoll = opts->busyPoll;
    }
    return 0;
}


/* A real filesystem by default: tmpfs would flatter every helper. */
static char *
pfsBenchChooseParent(const char *requested)
{
    const char *candidates[] = { g_getenv("TMPDIR"), "/var/tmp", "/tmp" };
    size_t i;

    if (requested)
        return realpath(requested, NULL);
    for (i = 0; i < G_N_ELEMENTS(candidates); i++) {
        if (!candidates[i] || access(candidates[i], W_OK) < 0)
            continue;
        if (!pfsBenchIsMemoryFs(candidates[i]))
            return realpath(candidates[i], NULL);
    }
    return g_get_current_dir();
}


static void
pfsBenchRunPaths(pfsBenchRun *run)
{
    GString *work = g_string_new("");
    int i;

    /* depth 1 is a file in the export's root; each level adds a directory */
    for (i = 1; i < run->opts->depth; i++)
        g_string_append_printf(work, "%sd%d", i > 1 ? "/" : "", i);
    run->work = g_string_free(work, FALSE);
#define PFS_BENCH_IN_WORK(name) \
    (run->work[0] ? g_strdup_printf("%s/%s", run->work, (name)) : g_strdup(name))
    run->file = PFS_BENCH_IN_WORK("file.txt");
    run->fresh = PFS_BENCH_IN_WORK("new");
    run->link = PFS_BENCH_IN_WORK("link");
    run->renA = PFS_BENCH_IN_WORK("rename-a");
    run->renB = PFS_BENCH_IN_WORK("rename-b");
    run->mix = PFS_BENCH_IN_WORK("mix");
#undef PFS_BENCH_IN_WORK
}


static int
pfsBenchParseArgs(int argc, char **argv, pfsBenchOptions *opts)
{
    GOptionEntry entries[] = {
        { "helper", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opts->helpers,
          "A helper to measure (repeatable); LABEL=PATH names it", "[LABEL=]PATH" },
        { "ours", 0, 0, G_OPTION_ARG_NONE, &opts->ours,
          "Measure our helper (" PFS_BENCH_OUR_HELPER ")", NULL },
        { "qemu", 0, 0, G_OPTION_ARG_NONE, &opts->qemu,
          "Measure QEMU's helper (" PFS_BENCH_QEMU_HELPER ")", NULL },
        { "export-dir", 0, 0, G_OPTION_ARG_FILENAME, &opts->exportDir,
          "Where to make the throwaway exports (default: $TMPDIR, /var/tmp or /tmp, "
          "the first that is not tmpfs)", "DIR" },
        { "busy-poll", 0, 0, G_OPTION_ARG_INT, &opts->busyPoll,
          "Also measure ours with --busy-poll=USEC (labelled pollUSEC)", "USEC" },
        { "reps", 0, 0, G_OPTION_ARG_INT, &opts->reps,
          "Repetitions, the median is reported (default 5)", "N" },
        { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &opts->seconds,
          "Duration of each measurement (default 1)", "S" },
        { "count", 0, 0, G_OPTION_ARG_INT64, &opts->count,
          "Run each measurement for N iterations instead, without warm-up", "N" },
        { "ops", 0, 0, G_OPTION_ARG_STRING, &opts->ops,
          "Comma-separated operations to run (default: all; see --list-ops)", "LIST" },
        { "list-ops", 0, 0, G_OPTION_ARG_NONE, &opts->listOps,
          "List the operations and exit", NULL },
        { "depth", 0, 0, G_OPTION_ARG_INT, &opts->depth,
          "Path depth of the files operated on (default 2: \"//d1/file.txt\")", "N" },
        { "uid", 0, 0, G_OPTION_ARG_INT, &opts->uid,
          "Guest uid sent with creations and chown (default 1000 as root, else ours)", "UID" },
        { "gid", 0, 0, G_OPTION_ARG_INT, &opts->gid,
          "Guest gid sent with creations and chown (default 1000 as root, else ours)", "GID" },
        { "slice", 0, 0, G_OPTION_ARG_DOUBLE, &opts->slice,
          "Length of the slices a measurement is taken in, in turns (default 0.05)", "S" },
        { "cpus", 0, 0, G_OPTION_ARG_STRING, &opts->cpus,
          "Where to run: 'any' (default: where the scheduler puts us), 'same' (everything "
          "on one CPU) or 'split' (us on one CPU, helpers on another)", "any|same|split" },
        { "verbose", 'v', 0, G_OPTION_ARG_NONE, &opts->verbose,
          "Print every measurement on stderr", NULL },
        { "wrapper", 0, 0, G_OPTION_ARG_STRING, &opts->wrapper,
          "Run every helper under this command, e.g. 'strace -c -f -o FILE'", "CMD" },
        { "scale", 0, 0, G_OPTION_ARG_INT, &opts->scale,
          "Instead: start N idle helpers and report their memory, and the start-up time", "N" },
        { "startup-runs", 0, 0, G_OPTION_ARG_INT, &opts->startupRuns,
          "With --scale: start-up measurements per helper (default 50)", "N" },
        { NULL }
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);
    g_autoptr(GError) err = NULL;

    opts->reps = 5;
    opts->seconds = 1.0;
    opts->slice = 0.05;
    opts->depth = 2;
    opts->uid = -1;
    opts->gid = -1;
    opts->startupRuns = 50;

    g_option_context_set_summary(ctx,
        "Operations per second of 9p proxy helpers over a socketpair, against the floor\n"
        "(the same system calls in-process plus a bare socket round trip), or with\n"
        "--scale the memory of idle helpers and their start-up time.\n"
        "Run it as root so that our helper is sandboxed as in production.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        fprintf(stderr, "proxyfsbench: %s\n", err->message);
        return -1;
    }
    if (argc > 1) {
        fprintf(stderr, "proxyfsbench: unexpected argument '%s'\n", argv[1]);
        return -1;
    }
    if (opts->reps < 1 || opts->seconds <= 0 || opts->slice <= 0 || opts->count < 0 ||
        opts->depth < 1 || opts->depth > 32 || opts->uid < -1 || opts->gid < -1 ||
        opts->scale < 0 || opts->startupRuns < 1) {
        fprintf(stderr, "proxyfsbench: --reps, --seconds, --depth and --startup-runs must be "
                "positive, --count, --uid, --gid and --scale not negative\n");
        return -1;
    }
    if (opts->busyPoll < 0 || opts->busyPoll > PFS_HELPER_BUSY_POLL_MAX_US) {
        fprintf(stderr, "proxyfsbench: --busy-poll takes 0 to %d microseconds\n",
                PFS_HELPER_BUSY_POLL_MAX_US);
        return -1;
    }
    if (opts->scale > PFS_BENCH_SCALE_MAX) {
        fprintf(stderr, "proxyfsbench: --scale is limited to %d helpers\n", PFS_BENCH_SCALE_MAX);
        return -1;
    }
    return 0;
}


static void
pfsBenchOptionsClear(pfsBenchOptions *opts)
{
    g_strfreev(opts->helpers);
    g_free(opts->exportDir);
    g_free(opts->ops);
    g_free(opts->wrapper);
    g_free(opts->cpus);
}


/* --cpus: 'same' pins us, and so every child, to one CPU; 'split' pins
 * us to one and the helpers and the echo child to another. Returns a
 * description for the report, or NULL. */
static char *
pfsBenchPlaceCpus(pfsBenchRun *run)
{
    const char *mode = run->opts->cpus ? run->opts->cpus : "any";
    cpu_set_t allowed, mine;
    int first = -1, second = -1;
    int cpu;

    if (strcmp(mode, "any") == 0)
        return g_strdup("any: where the scheduler puts each process");
    if (strcmp(mode, "same") != 0 && strcmp(mode, "split") != 0) {
        fprintf(stderr, "proxyfsbench: --cpus takes 'any', 'same' or 'split', not '%s'\n", mode);
        return NULL;
    }
    if (sched_getaffinity(0, sizeof(allowed), &allowed) < 0) {
        fprintf(stderr, "proxyfsbench: sched_getaffinity: %s\n", g_strerror(errno));
        return NULL;
    }
    for (cpu = 0; cpu < CPU_SETSIZE && second < 0; cpu++) {
        if (!CPU_ISSET(cpu, &allowed))
            continue;
        if (first < 0)
            first = cpu;
        else
            second = cpu;
    }
    if (first < 0 || (strcmp(mode, "split") == 0 && second < 0)) {
        fprintf(stderr, "proxyfsbench: --cpus %s needs %s CPU\n", mode,
                strcmp(mode, "split") == 0 ? "a second" : "one");
        return NULL;
    }
    CPU_ZERO(&mine);
    CPU_SET(first, &mine);
    if (sched_setaffinity(0, sizeof(mine), &mine) < 0) {
        fprintf(stderr, "proxyfsbench: sched_setaffinity: %s\n", g_strerror(errno));
        return NULL;
    }
    if (strcmp(mode, "same") == 0)
        return g_strdup_printf("same: every process on CPU %d", first);
    CPU_ZERO(&run->childCpus);
    CPU_SET(second, &run->childCpus);
    run->pinChildren = true;
    return g_strdup_printf("split: the client on CPU %d, helpers and echo child on CPU %d",
                           first, second);
}


/* Our stdio must be open, or a socket could land on fd 0-2 and be
 * replaced by /dev/null in the helper. */
static void
pfsBenchEnsureStdio(void)
{
    int fd;

    while ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0 && fd <= STDERR_FILENO)
        fcntl(fd, F_SETFD, 0);
    if (fd > STDERR_FILENO)
        close(fd);
}


int
main(int argc, char **argv)
{
    pfsBenchOptions opts = { 0 };
    pfsBenchRun run = { .opts = &opts, .cwd = -1 };
    g_autoptr(GArray) specs = g_array_new(FALSE, TRUE, sizeof(pfsBenchHelperSpec));
    g_autofree char *parent = NULL;
    g_autofree char *tmpl = NULL;
    g_autofree char *placement = NULL;
    int ret = EXIT_FAILURE;
    size_t i;

    setlocale(LC_ALL, "");
    pfsBenchEnsureStdio();
    if (pfsBenchParseArgs(argc, argv, &opts) < 0)
        goto cleanup;
    if (opts.listOps) {
        for (i = 0; i < G_N_ELEMENTS(pfsBenchOps); i++)
            printf("%-12s %s\n", pfsBenchOps[i].name, pfsBenchOps[i].what);
        ret = EXIT_SUCCESS;
        goto cleanup;
    }
    if (opts.wrapper) {
        g_autoptr(GError) err = NULL;
        if (!g_shell_parse_argv(opts.wrapper, NULL, &run.wrapperArgv, &err)) {
            fprintf(stderr, "proxyfsbench: --wrapper: %s\n", err->message);
            goto cleanup;
        }
    }
    if (pfsBenchCollectHelpers(&opts, specs) < 0)
        goto cleanup;
    run.specs = (pfsBenchHelperSpec *)specs->data;
    run.nspecs = specs->len;
    /* a guest user's ids; without root only our own can be given away */
    run.uid = opts.uid >= 0 ? (uint32_t)opts.uid : geteuid() == 0 ? 1000 : geteuid();
    run.gid = opts.gid >= 0 ? (uint32_t)opts.gid : geteuid() == 0 ? 1000 : getegid();
    run.gidAlt = geteuid() == 0 ? run.gid + 1 : run.gid;
    pfsBenchRunPaths(&run);

    pfsBenchCatchSignals();
    if ((run.cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
        fprintf(stderr, "proxyfsbench: cannot open the current directory: %s\n", g_strerror(errno));
        goto cleanup;
    }
    if (!(parent = pfsBenchChooseParent(opts.exportDir))) {
        fprintf(stderr, "proxyfsbench: cannot use '%s': %s\n", opts.exportDir, g_strerror(errno));
        goto cleanup;
    }
    tmpl = g_build_filename(parent, "proxyfsbench-XXXXXX", NULL);
    if (!g_mkdtemp_full(tmpl, 0755)) {
        fprintf(stderr, "proxyfsbench: cannot create a directory in '%s': %s\n", parent,
                g_strerror(errno));
        goto cleanup;
    }
    run.top = g_steal_pointer(&tmpl);
    if (pfsBenchIsMemoryFs(run.top))
        fprintf(stderr, "proxyfsbench: warning: '%s' is in memory (tmpfs): the numbers will "
                "not be those of a disk filesystem\n", parent);

    run.msg = g_new0(pfsTestMsg, 1);
    run.in = g_malloc0(PFS_PROXY_MAX_FRAME);
    run.echoFrame = g_new0(pfsTestMsg, 1);
    run.echoFdFrame = g_new0(pfsTestMsg, 1);
    {
        g_autofree char *wire = g_strdup_printf("//%s", run.file);
        /* request-sized: what a T_LSTAT or T_OPEN of the benchmark file is */
        pfsTestMsgBuild(run.echoFrame, PFS_PROXY_T_LSTAT, "p", wire);
        pfsTestMsgBuild(run.echoFdFrame, PFS_PROXY_T_OPEN, "pd", wire, O_RDONLY);
    }

    if (!(placement = pfsBenchPlaceCpus(&run)))
        goto cleanup;
    pfsBenchPrintMachine(&run);
    printf("  cpus        %s\n", placement);
    fflush(stdout);
    if (opts.scale > 0 ? pfsBenchScale(&run) == 0 : pfsBenchProtocol(&run) == 0)
        ret = EXIT_SUCCESS;

 cleanup:
    if (run.top) {
        pfsBenchRemoveTree(run.top);
        g_free(run.top);
    }
    pfsForceClose(&run.cwd);
    for (i = 0; i < specs->len; i++) {
        g_free(g_array_index(specs, pfsBenchHelperSpec, i).label);
        g_free(g_array_index(specs, pfsBenchHelperSpec, i).path);
    }
    g_strfreev(run.wrapperArgv);
    g_free(run.work);
    g_free(run.file);
    g_free(run.fresh);
    g_free(run.link);
    g_free(run.renA);
    g_free(run.renB);
    g_free(run.mix);
    g_free(run.msg);
    g_free(run.in);
    g_free(run.echoFrame);
    g_free(run.echoFdFrame);
    pfsBenchOptionsClear(&opts);
    return ret;
}
