/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * benchscale.c: --scale, the memory of idle helpers and their start-up
 *
 * Start-up: fork+exec of one helper at a time, to ready and to its first
 * reply. Memory: N helpers of each kind started one after another, each
 * on its own export and socketpair, measured idle from /proc, then all
 * hung up on at once. It refuses to use more than half of the tasks the
 * machine has room for.
 */
#include "pfsinternal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pfsfile.h"
#include "pfstestutils.h"
#include "bench.h"

#define PFS_BENCH_EXIT_TIMEOUT_MS 10000


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
    while (pfsBenchNow() < deadline && !pfsTestInterrupted) {
        g_usleep(G_USEC_PER_SEC);
        pfsBenchReadMeminfo(&now);
        if (ABS(now.sunreclaim - prev.sunreclaim) < 256 &&
            ABS(now.available - prev.available) < 1024)
            return;
        prev = now;
    }
}


/* A directory for helpers' exports, and the log they share. Returns the
 * log's fd, or -1. */
static int
pfsBenchScaleDir(const char *dir, const char *logPath)
{
    int logfd = -1;

    if (mkdir(dir, 0755) < 0 ||
        (logfd = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) < 0) {
        fprintf(stderr, "proxyfsbench: cannot create '%s': %s\n", dir, g_strerror(errno));
        return -1;
    }
    return logfd;
}


/* Start @n helpers of @spec one after another, each on its own export
 * and socketpair, each until ready and past QEMU's first request; then
 * measure them idle; then stop them all. */
static int
pfsBenchScaleOne(pfsBenchRun *run, pfsBenchTarget *scratch,
                 const pfsBenchHelperSpec *spec, int n)
{
    g_autofree pfsTestHelper **conns = g_new0(pfsTestHelper *, n);
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

    if ((logfd = pfsBenchScaleDir(dir, logPath)) < 0)
        return -1;

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
        if (!(conns[i] = pfsBenchSpawn(run, spec, exportPath, logfd)))
            goto cleanup;
        nstarted++;
        scratch->conn = conns[i];
        g_free(scratch->label);
        scratch->label = g_strdup_printf("%s #%d", spec->label, i);
        if (pfsBenchWaitReady(conns[i], scratch->label) < 0 || pfsBenchRealize(scratch) < 0)
            goto cleanup;
    }
    startSeconds = pfsBenchNow() - started;
    pfsBenchSettle();
    pfsBenchReadMeminfo(&after);

    for (i = 0; i < n; i++) {
        pfsBenchMem mem;

        if (pfsBenchReadMem(conns[i]->pid, &mem) < 0)
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
    /* every helper exits at the EOF of its socket: hang up on them all
     * first so that they exit in parallel, then reap each */
    for (i = 0; i < nstarted; i++)
        pfsTestHelperHangUp(conns[i]);
    deadline = pfsBenchNow() + PFS_BENCH_EXIT_TIMEOUT_MS / 1000.0;
    for (i = 0; i < nstarted; i++) {
        int status = pfsTestHelperReap(conns[i], MAX(0, (deadline - pfsBenchNow()) * 1000));

        if (ret == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
            fprintf(stderr, "proxyfsbench: %s #%d ended with wait status %#x\n",
                    spec->label, i, (unsigned int)status);
        }
        pfsTestHelperFree(conns[i]);
    }
    if (ret < 0)
        pfsBenchPrintLog(logPath, "the helpers'");
    scratch->conn = NULL;
    pfsTestRemoveTreeFull(dir, true);
    unlink(logPath);
    return ret;
}


static void
pfsBenchPrintStartup(const char *label, const char *what, double *ms, int runs)
{
    double med = pfsBenchMedian(ms, runs);  /* sorts */

    printf("  %-8s fork+exec to %s median %6.2f ms, min %6.2f, "
           "90th percentile %6.2f, max %6.2f\n", label, what, med, ms[0],
           pfsBenchPercentile(ms, runs, 0.9), ms[runs - 1]);
}


/* One start of @spec: fork+exec to ready, then to the first reply.
 * Returns 0, or -1 after saying why. */
static int
pfsBenchStartOnce(pfsBenchRun *run, pfsBenchTarget *scratch, const pfsBenchHelperSpec *spec,
                  const char *exportPath, int logfd, double *ready, double *first)
{
    g_autoptr(pfsTestHelper) conn = NULL;
    double t0 = pfsBenchNow();
    int status;
    int r;

    if (!(conn = pfsBenchSpawn(run, spec, exportPath, logfd)) ||
        pfsBenchWaitReady(conn, spec->label) < 0)
        return -1;
    *ready = (pfsBenchNow() - t0) * 1e3;
    scratch->conn = conn;
    r = pfsBenchRealize(scratch);
    scratch->conn = NULL;
    if (r < 0)
        return -1;
    *first = (pfsBenchNow() - t0) * 1e3;
    status = pfsTestHelperFinish(conn);
    if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
        fprintf(stderr, "proxyfsbench: %s ended with wait status %#x\n", spec->label,
                (unsigned int)status);
        return -1;
    }
    return 0;
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

    if ((logfd = pfsBenchScaleDir(exportPath, logPath)) < 0)
        return -1;
    g_free(scratch->label);
    scratch->label = g_strdup(spec->label);

    for (i = 0; i < runs; i++) {
        if (pfsBenchCheckInterrupted() ||
            pfsBenchStartOnce(run, scratch, spec, exportPath, logfd, &ready[i], &first[i]) < 0)
            goto cleanup;
    }

    /* the ready line has one space more than the other: as it always had */
    if (spec->ours)
        pfsBenchPrintStartup(spec->label, "ready ('0' on --ready-fd): ", ready, runs);
    pfsBenchPrintStartup(spec->label, "first reply (T_LSTAT \"/\"):", first, runs);
    ret = 0;

 cleanup:
    if (ret < 0)
        pfsBenchPrintLog(logPath, "the helper's");
    pfsTestRemoveTreeFull(exportPath, true);
    unlink(logPath);
    return ret;
}


int
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
    pfsBenchPrintLoad();
    ret = 0;

 cleanup:
    pfsBenchTargetFree(scratch);
    return ret;
}
