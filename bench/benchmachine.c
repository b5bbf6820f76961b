/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * benchmachine.c: what /proc says about the machine and our processes
 *
 * The description at the top of every run (CPU, kernel, memory, the
 * filesystem of the exports, the load), and the readings the tables are
 * made of: a process's CPU time and memory, the whole machine's CPU
 * time (to tell how much others used meanwhile), /proc/meminfo.
 */
#include "pfsinternal.h"

#include <linux/magic.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bench.h"

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


bool
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


void
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


void
pfsBenchPrintLoad(void)
{
    g_autofree char *load = pfsBenchLoadAvg();

    printf("\n  load        %s at the end\n", load);
}


int
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
int
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


void
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

        if (pfsBenchReadCpu(i < ntargets ? targets[i]->conn->pid : getpid(),
                            &user, &sys, &vol, &invol) == 0)
            snap->ours += user + sys;
    }
}


/* The share of the whole machine's CPU that others used between two
 * snapshots, in percent: anything above a few percent disturbed the
 * measurement. */
double
pfsBenchCpuOthers(const pfsBenchCpuSnap *before, const pfsBenchCpuSnap *after)
{
    double total = after->total - before->total;
    double others = (after->busy - before->busy) - (after->ours - before->ours);

    if (total <= 0)
        return NAN;
    return MAX(0, 100.0 * others / total);
}


void
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
