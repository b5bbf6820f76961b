/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * benchprotocol.c: the protocol benchmark, operations per second
 *
 * Every target (each helper, the in-process calls, the two echoes) gets
 * the same time per operation and repetition, cut into short slices
 * taken in turns, a different target first each time; a repetition's
 * rate is the median of its slices. Each slice starts from the same
 * export layout, made from the host side.
 */
#include "pfsinternal.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "pfsfile.h"
#include "pfstestutils.h"
#include "bench.h"


/* The layout every measurement starts from, made from the host side. */
int
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
    pfsTestRemoveTreeFull(mix, true);
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
    if (t->kind == PFS_BENCH_TARGET_LOCAL && chdir(t->exportPath) < 0) {
        fprintf(stderr, "proxyfsbench: cannot enter '%s': %s\n", t->exportPath,
                g_strerror(errno));
        return -1;
    }
    return 0;
}


static int
pfsBenchLeave(pfsBenchRun *run, pfsBenchTarget *t)
{
    if (t->kind == PFS_BENCH_TARGET_LOCAL && fchdir(run->cwd) < 0) {
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
            if (pfsBenchStep(run, t, op, steps++) < 0)
                goto cleanup;
        } while (pfsBenchNow() < warm);
    }

    t->plain = t->fds = 0;
    start = now = pfsBenchNow();
    end = start + seconds;
    for (;;) {
        int n;

        if (pfsTestInterrupted)
            goto cleanup;
        if ((n = pfsBenchStep(run, t, op, steps++)) < 0)
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


/* What the run measures, above its tables. */
static void
pfsBenchPrintSetup(pfsBenchRun *run)
{
    size_t i;

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
}


/* A slice of @slot: a helper or the in-process calls doing @op, or one
 * of the echoes, whose slices are half as long (a round trip varies
 * much less than a file operation). */
static double
pfsBenchSlotSlice(pfsBenchRun *run, pfsBenchReport *rep, size_t slot,
                  const pfsBenchOp *op, double seconds, pfsBenchSample *s)
{
    if (slot < rep->nhelpers)
        return pfsBenchSlice(run, rep->helpers[slot], op, seconds, s);
    if (slot == rep->nhelpers)
        return pfsBenchSlice(run, rep->local, op, seconds, s);
    if (slot == rep->nhelpers + 1)
        return pfsBenchSlice(run, rep->echo, &pfsBenchEchoOp, seconds / 2, s);
    return pfsBenchSlice(run, rep->echo, &pfsBenchEchoFdOp, seconds / 2, s);
}


/* Repetition @r of operation @o: the slices of every slot in turns, a
 * different slot first each time, and the median of each slot's. */
static int
pfsBenchRepetition(pfsBenchRun *run, pfsBenchReport *rep, size_t o, int r,
                   int nslices, double sliceSeconds, double *sliceRates)
{
    size_t k, slot;
    int sl;

    for (sl = 0; sl < nslices; sl++) {
        for (k = 0; k < rep->nslots; k++) {
            double rate;

            slot = (k + r + sl) % rep->nslots;
            rate = pfsBenchSlotSlice(run, rep, slot, rep->ops[o], sliceSeconds,
                                     pfsBenchSampleAt(rep, o, slot, r));
            if (rate <= 0) {
                if (slot < rep->nhelpers)
                    pfsBenchPrintTargetLog(rep->helpers[slot]);
                pfsBenchCheckInterrupted();
                return -1;
            }
            sliceRates[slot * nslices + sl] = rate;
        }
    }

    for (slot = 0; slot < rep->nslots; slot++) {
        pfsBenchSample *s = pfsBenchSampleAt(rep, o, slot, r);
        double *v = &sliceRates[slot * nslices];

        s->rate = pfsBenchMedian(v, nslices);
        if (run->opts->verbose)
            fprintf(stderr, "  rep %d %-9s %10.0f/s %8.2f us  slices %.0f..%.0f/s  "
                    "(%llu in %.3f s)\n", r + 1, pfsBenchSlotLabel(rep, slot),
                    s->rate, 1e6 / s->rate, v[0], v[nslices - 1],
                    (unsigned long long)s->iterations, s->seconds);
    }
    return 0;
}


int
pfsBenchProtocol(pfsBenchRun *run)
{
    g_autoptr(GPtrArray) ops = g_ptr_array_new();
    g_autoptr(GPtrArray) helpers = g_ptr_array_new();
    g_autoptr(GPtrArray) watched = g_ptr_array_new();
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
    pfsBenchPrintSetup(run);

    if (!(rep.local = pfsBenchTargetNew(run, PFS_BENCH_TARGET_LOCAL, "syscalls", "inprocess")))
        goto cleanup;
    for (o = 0; o < ops->len; o++) {
        const pfsBenchOp *op = g_ptr_array_index(ops, o);

        if (op->step == pfsBenchStepMixed && pfsBenchPrintMixComposition(run, rep.local) < 0) {
            fprintf(stderr, "proxyfsbench: the mixed workload fails in-process\n");
            goto cleanup;
        }
    }
    fflush(stdout);

    if (!(rep.echo = pfsBenchTargetNew(run, PFS_BENCH_TARGET_ECHO, "echo", NULL)) ||
        pfsBenchEchoStart(run, rep.echo) < 0)
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
     * whichever target happened to run. */
    nslices = run->opts->count ? 1 : MAX(1, (int)lround(run->opts->seconds / run->opts->slice));
    sliceSeconds = run->opts->seconds / nslices;
    sliceRates = g_new0(double, rep.nslots * nslices);

    rep.others = g_new0(double, rep.nops);
    /* ours: the CPU of these is not somebody else's */
    for (h = 0; h < helpers->len; h++)
        g_ptr_array_add(watched, g_ptr_array_index(helpers, h));
    g_ptr_array_add(watched, rep.echo);
    for (o = 0; o < rep.nops; o++) {
        pfsBenchCpuSnap before, after;

        pfsBenchCpuSnapshot((pfsBenchTarget **)watched->pdata, watched->len, &before);
        fprintf(stderr, "proxyfsbench: %s (%s)\n", rep.ops[o]->name, rep.ops[o]->what);
        for (r = 0; r < rep.reps; r++) {
            if (pfsBenchRepetition(run, &rep, o, r, nslices, sliceSeconds, sliceRates) < 0)
                goto cleanup;
        }
        pfsBenchCpuSnapshot((pfsBenchTarget **)watched->pdata, watched->len, &after);
        rep.others[o] = pfsBenchCpuOthers(&before, &after);
    }

    pfsBenchPrintReport(&rep);
    if (!run->wrapperArgv)
        pfsBenchPrintServing(&rep);
    pfsBenchPrintLoad();
    ret = 0;

 cleanup:
    for (h = 0; h < helpers->len; h++) {
        pfsBenchTargetStop(g_ptr_array_index(helpers, h));
        pfsBenchTargetFree(g_ptr_array_index(helpers, h));
    }
    if (rep.echo)
        pfsBenchTargetStop(rep.echo);
    pfsBenchTargetFree(rep.echo);
    pfsBenchTargetFree(rep.local);
    g_free(rep.samples);
    g_free(rep.others);
    return ret;
}
