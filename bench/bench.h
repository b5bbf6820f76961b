/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench.h: what the parts of proxyfsbench share
 *
 *   proxyfsbench.c   main: options, the helpers to measure, the set-up
 *   benchhelpers.c   targets, and helpers started through tests/'s client
 *   benchfloor.c     the floor: the calls in-process, and the echo child
 *   benchops.c       the operations, and the mixed workload
 *   benchprotocol.c  the protocol benchmark: exports, slices, turns
 *   benchreport.c    medians, and the tables they make
 *   benchmachine.c   what /proc says: the machine, CPU time, memory
 *   benchscale.c     --scale: the memory of idle helpers, start-up time
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
#pragma once

#include "pfsinternal.h"

#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <sys/types.h>

#include "pfstestclient.h"

/* A user xattr of 32 bytes on the benchmark file; the value is a string
 * because the request encoder takes strings. */
#define PFS_BENCH_XATTR_NAME "user.pfsbench"
#define PFS_BENCH_XATTR_VALUE "0123456789abcdef0123456789abcdef"
#define PFS_BENCH_XATTR_LEN 32

#define PFS_BENCH_LINK_TARGET "../some/where/else.txt"

/* QEMU's readlink buffer (it never asks with anything else) */
#define PFS_BENCH_READLINK_BUF 4096


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
    char **extra;        /* ours with --busy-poll=USEC, or NULL */
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
    pfsTestHelper *conn; /* helpers and the echo child: our end */
    guint64 plain;       /* requests answered with a frame */
    guint64 fds;         /* requests answered with an fd */
    guint64 byType[PFS_PROXY_T_LAST];
    guint64 served;      /* every request since it started */
    pfsTestMsg *msg;     /* shared: the request being built */
    pfsTestReply *reply; /* shared: its reply */
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
    pfsTestReply *reply;
    pfsTestMsg *echoFrame;
    pfsTestMsg *echoFdFrame;
};


/* One request as the operations make it: to a helper it goes on the
 * wire, to the in-process floor it is the same system calls. Paths are
 * relative to the export's root. */
typedef struct _pfsBenchReq pfsBenchReq;
struct _pfsBenchReq {
    pfsProxyType type;
    const char *path;
    const char *other;   /* T_RENAME's new path, T_SYMLINK's target */
    int flags;           /* T_OPEN, T_CREATE */
    mode_t mode;
    uint32_t uid;
    uint32_t gid;
    int64_t num;         /* T_TRUNCATE's length, T_UTIME's seconds */
    int64_t nsec;        /* T_UTIME's nanoseconds */
    int32_t size;        /* T_LGETXATTR's size: 0 probes */
};


typedef struct _pfsBenchOp pfsBenchOp;
struct _pfsBenchOp {
    const char *name;
    const char *what;
    const char *label;   /* what went wrong, in messages */
    bool xattr;          /* needs user xattrs */
    /* One iteration is this request (see pfsBenchIteration), which
     * must answer @want... */
    pfsProxyType type;
    int32_t want;
    /* ...or, when set, this, which returns how many operations it counts
     * as (the mixed workload counts requests), or -1. */
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


typedef struct _pfsBenchReport pfsBenchReport;
struct _pfsBenchReport {
    const pfsBenchOp **ops;
    size_t nops;
    pfsBenchTarget **helpers;
    size_t nhelpers;
    pfsBenchTarget *local;
    pfsBenchTarget *echo;
    size_t nslots;       /* helpers, in-process, echo, echo with fd */
    int reps;
    pfsBenchSample *samples;
    double *others;      /* per operation: CPU used by everything else, % */
};


typedef struct _pfsBenchMem pfsBenchMem;
struct _pfsBenchMem {
    guint64 rss;
    guint64 pss;
    guint64 privateKb;   /* Private_Clean + Private_Dirty */
    guint64 anon;
};


/* How busy the machine is, and how much of that is us. */
typedef struct _pfsBenchCpuSnap pfsBenchCpuSnap;
struct _pfsBenchCpuSnap {
    double busy;         /* seconds of all CPUs not idle */
    double total;        /* seconds of all CPUs */
    double ours;         /* seconds used by us, the helpers and the echo child */
};


typedef struct _pfsBenchMeminfo pfsBenchMeminfo;
struct _pfsBenchMeminfo {
    gint64 available;
    gint64 slab;
    gint64 sunreclaim;
    gint64 pageTables;
    gint64 kernelStack;
};


/* The request types that no operation sends, for the switches over
 * request types (which name every type). */
#define PFS_BENCH_CASE_UNSENT \
    case PFS_PROXY_T_SUCCESS: \
    case PFS_PROXY_T_ERROR: \
    case PFS_PROXY_T_MKNOD: \
    case PFS_PROXY_T_LINK: \
    case PFS_PROXY_T_LLISTXATTR: \
    case PFS_PROXY_T_LREMOVEXATTR: \
    case PFS_PROXY_T_GETVERSION: \
    case PFS_PROXY_T_LAST


/* A step fails unless a request answers @want. */
#define PFS_BENCH_EXPECT(t, what, call, want) \
    do { \
        int32_t pfs_got = (call); \
        if (pfs_got != (want)) \
            return pfsBenchUnexpected((t), (what), pfs_got, (want)); \
    } while (0)


/* proxyfsbench.c */
bool pfsBenchCheckInterrupted(void);

/* benchhelpers.c */
pfsBenchTarget *pfsBenchTargetNew(pfsBenchRun *run, pfsBenchTargetKind kind,
                                  const char *label, const char *dirName);
void pfsBenchTargetFree(pfsBenchTarget *t);
void pfsBenchTargetStop(pfsBenchTarget *t);
void pfsBenchPrintLog(const char *path, const char *whose);
void pfsBenchPrintTargetLog(pfsBenchTarget *t);
pfsTestHelper *pfsBenchSpawn(pfsBenchRun *run, const pfsBenchHelperSpec *spec,
                             const char *exportPath, int logfd);
int pfsBenchWaitReady(pfsTestHelper *conn, const char *label);
int pfsBenchRealize(pfsBenchTarget *t);
pfsBenchTarget *pfsBenchHelperStart(pfsBenchRun *run, const pfsBenchHelperSpec *spec,
                                    size_t index);
int32_t pfsBenchConnFailed(pfsBenchTarget *t, const char *what);
int pfsBenchUnexpected(pfsBenchTarget *t, const char *what, int32_t got, int32_t want);
int32_t pfsBenchRemote(pfsBenchTarget *t, const pfsBenchReq *req);

/* benchfloor.c */
int32_t pfsBenchLocal(pfsBenchTarget *t, const pfsBenchReq *req);
int pfsBenchEchoStart(pfsBenchRun *run, pfsBenchTarget *t);
extern const pfsBenchOp pfsBenchEchoOp;
extern const pfsBenchOp pfsBenchEchoFdOp;

/* benchops.c */
extern const pfsBenchOp pfsBenchOps[];
extern const size_t pfsBenchNOps;
int pfsBenchStep(pfsBenchRun *run, pfsBenchTarget *t, const pfsBenchOp *op, guint64 i);
int pfsBenchStepMixed(pfsBenchRun *run, pfsBenchTarget *t, guint64 i);
int pfsBenchSelectOps(pfsBenchRun *run, GPtrArray *ops);

/* benchprotocol.c */
int pfsBenchFixtures(pfsBenchRun *run, pfsBenchTarget *t);
int pfsBenchProtocol(pfsBenchRun *run);

/* benchreport.c */
double pfsBenchNow(void);
double pfsBenchMedian(double *vals, size_t n);
double pfsBenchPercentile(const double *sorted, size_t n, double p);
pfsBenchSample *pfsBenchSampleAt(pfsBenchReport *rep, size_t op, size_t slot, int r);
const char *pfsBenchSlotLabel(pfsBenchReport *rep, size_t slot);
void pfsBenchPrintReport(pfsBenchReport *rep);
int pfsBenchPrintMixComposition(pfsBenchRun *run, pfsBenchTarget *local);
void pfsBenchPrintServing(pfsBenchReport *rep);

/* benchmachine.c */
bool pfsBenchIsMemoryFs(const char *path);
void pfsBenchPrintMachine(pfsBenchRun *run);
void pfsBenchPrintLoad(void);
int pfsBenchReadMem(pid_t pid, pfsBenchMem *mem);
int pfsBenchReadCpu(pid_t pid, double *user, double *sys, guint64 *voluntary,
                    guint64 *involuntary);
void pfsBenchCpuSnapshot(pfsBenchTarget **targets, size_t ntargets, pfsBenchCpuSnap *snap);
double pfsBenchCpuOthers(const pfsBenchCpuSnap *before, const pfsBenchCpuSnap *after);
void pfsBenchReadMeminfo(pfsBenchMeminfo *mi);

/* benchscale.c */
int pfsBenchScale(pfsBenchRun *run);
