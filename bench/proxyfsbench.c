/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxyfsbench.c: how fast proxy helpers answer, against the floor
 *
 * main: the options, the helpers to measure, the throwaway directory
 * for their exports, the CPUs to run on; then the protocol benchmark
 * (benchprotocol.c) or --scale (benchscale.c). bench.h says what the
 * other files do; docs/performance.rst how to run it and what it found.
 */
#include "pfsinternal.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pfsfile.h"
#include "pfshelperlimits.h"
#include "pfstestutils.h"
#include "bench.h"

/* --scale refuses more helpers than this, whatever the machine says */
#define PFS_BENCH_SCALE_MAX 5000


static void
pfsBenchOnSignal(int sig)
{
    pfsTestInterrupted = sig;
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


bool
pfsBenchCheckInterrupted(void)
{
    if (!pfsTestInterrupted)
        return false;
    fprintf(stderr, "proxyfsbench: interrupted by signal %d, cleaning up\n",
            (int)pfsTestInterrupted);
    return true;
}


static bool
pfsBenchIsOurHelper(const char *path)
{
    g_autofree char *base = g_path_get_basename(path);

    return strcmp(base, "virt-proxyfs-helper") == 0;
}


/* @busyPoll: ours with --busy-poll=USEC, when not 0 */
static void
pfsBenchAddSpec(GArray *specs, const char *label, const char *path, int busyPoll)
{
    pfsBenchHelperSpec spec = {
        .label = g_strdup(label),
        .path = g_strdup(path),
        .ours = pfsBenchIsOurHelper(path),
    };

    if (busyPoll > 0) {
        spec.extra = g_new0(char *, 2);
        spec.extra[0] = g_strdup_printf("--busy-poll=%u", (unsigned int)busyPoll);
    }
    g_array_append_val(specs, spec);
}


static int
pfsBenchCollectHelpers(pfsBenchOptions *opts, GArray *specs)
{
    char **h;

    if (opts->ours)
        pfsBenchAddSpec(specs, "ours", PFS_BENCH_OUR_HELPER, 0);
    if (opts->qemu)
        pfsBenchAddSpec(specs, "qemu", PFS_BENCH_QEMU_HELPER, 0);
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
        pfsBenchAddSpec(specs, label, path, 0);
    }

    if (specs->len == 0) {
        pfsBenchAddSpec(specs, "ours", PFS_BENCH_OUR_HELPER, 0);
        /* QEMU's helper needs root (it keeps capabilities in a chroot) */
        if (geteuid() == 0 && access(PFS_BENCH_QEMU_HELPER, X_OK) == 0)
            pfsBenchAddSpec(specs, "qemu", PFS_BENCH_QEMU_HELPER, 0);
        else
            fprintf(stderr, "proxyfsbench: %s is %s: measuring ours only\n",
                    PFS_BENCH_QEMU_HELPER,
                    geteuid() != 0 ? "only usable as root" : "not installed");
    }
    if (opts->busyPoll > 0) {
        g_autofree char *label = g_strdup_printf("poll%d", opts->busyPoll);

        pfsBenchAddSpec(specs, label, PFS_BENCH_OUR_HELPER, opts->busyPoll);
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
    /* the tests' client says who speaks, as our own messages do */
    g_set_prgname("proxyfsbench");
    pfsBenchEnsureStdio();
    if (pfsBenchParseArgs(argc, argv, &opts) < 0)
        goto cleanup;
    if (opts.listOps) {
        for (i = 0; i < pfsBenchNOps; i++)
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
    run.reply = g_new0(pfsTestReply, 1);
    run.reply->fd = -1;
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
        pfsTestRemoveTreeFull(run.top, true);
        g_free(run.top);
    }
    pfsForceClose(&run.cwd);
    for (i = 0; i < specs->len; i++) {
        g_free(g_array_index(specs, pfsBenchHelperSpec, i).label);
        g_free(g_array_index(specs, pfsBenchHelperSpec, i).path);
        g_strfreev(g_array_index(specs, pfsBenchHelperSpec, i).extra);
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
    g_free(run.reply);
    g_free(run.echoFrame);
    g_free(run.echoFdFrame);
    pfsBenchOptionsClear(&opts);
    return ret;
}
