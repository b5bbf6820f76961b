/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * benchreport.c: the numbers a run prints
 *
 * Medians over repetitions, the floor of each operation (the in-process
 * calls plus one echo round trip per request), and the tables: rates,
 * where the time goes, run-to-run spread, and the serving processes'
 * CPU time and memory after the run.
 */
#include "pfsinternal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"


double
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
double
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
double
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


pfsBenchSample *
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


/* The rates of @slot over the repetitions, sorted, and their median. */
static double *
pfsBenchRates(pfsBenchReport *rep, size_t op, size_t slot, double *median)
{
    double *v = g_new0(double, rep->reps);
    int r;

    for (r = 0; r < rep->reps; r++)
        v[r] = pfsBenchSampleAt(rep, op, slot, r)->rate;
    *median = pfsBenchMedian(v, rep->reps);
    return v;
}


/* Median over repetitions of operations per second of a slot. */
static double
pfsBenchMedianRate(pfsBenchReport *rep, size_t op, size_t slot)
{
    g_autofree double *v = NULL;
    double med;

    v = pfsBenchRates(rep, op, slot, &med);
    return med;
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
    double med;
    g_autofree double *v = pfsBenchRates(rep, op, slot, &med);

    return 100.0 * (v[rep->reps - 1] - v[0]) / med;
}


const char *
pfsBenchSlotLabel(pfsBenchReport *rep, size_t slot)
{
    if (slot < rep->nhelpers)
        return rep->helpers[slot]->label;
    if (slot == rep->nhelpers)
        return "syscalls";
    return slot == rep->nhelpers + 1 ? "echo" : "echo-fd";
}


void
pfsBenchPrintReport(pfsBenchReport *rep)
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
int
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


/* The serving side's CPU time per request and the helpers' memory,
 * after the run (meaningless under a wrapper such as strace). */
void
pfsBenchPrintServing(pfsBenchReport *rep)
{
    size_t h;

    printf("\nCPU time of the serving side over the whole run, per request\n"
           "(/proc/PID/stat, all threads; 10 ms ticks)\n\n");
    printf("%-12s %10s %9s %9s %9s %9s\n", "process", "requests", "user us", "sys us",
           "csw vol", "csw invol");
    for (h = 0; h <= rep->nhelpers; h++) {
        pfsBenchTarget *t = h < rep->nhelpers ? rep->helpers[h] : rep->echo;
        double user, sys;
        guint64 vol, invol;

        if (t->served == 0 || pfsBenchReadCpu(t->conn->pid, &user, &sys, &vol, &invol) < 0)
            continue;
        printf("%-12s %10llu %9.2f %9.2f %9.2f %9.2f\n",
               h < rep->nhelpers ? t->label : "echo child",
               (unsigned long long)t->served, user * 1e6 / t->served,
               sys * 1e6 / t->served, (double)vol / t->served,
               (double)invol / t->served);
    }

    printf("\nHelper memory after the run (kB, /proc/PID/smaps_rollup)\n\n");
    printf("%-12s %9s %9s %9s %9s\n", "helper", "private", "anonymous", "rss", "pss");
    for (h = 0; h < rep->nhelpers; h++) {
        pfsBenchMem mem;
        if (pfsBenchReadMem(rep->helpers[h]->conn->pid, &mem) < 0)
            continue;
        printf("%-12s %9llu %9llu %9llu %9llu\n", rep->helpers[h]->label,
               (unsigned long long)mem.privateKb, (unsigned long long)mem.anon,
               (unsigned long long)mem.rss, (unsigned long long)mem.pss);
    }
}
