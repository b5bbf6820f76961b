/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxyfs_helper.c: virt-proxyfs-helper, serving one export to one QEMU
 *
 * The command line is a superset of QEMU's virtfs-proxy-helper, so that
 * launchers written for it (libvirt-style socketpairs with -f, LXD, test
 * frameworks with -s) work unchanged.
 */
#include "pfsinternal.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "pfscaps.h"
#include "pfsuser.h"
#include "pfserror.h"
#include "pfsfile.h"
#include "pfslog.h"
#include "pfsready.h"
#include "proxyfs_export.h"
#include "pfshelperlimits.h"
#include "proxyfs_sandbox.h"
#include "proxyfs_server.h"
#include "proxyfs_socket.h"

#define PFS_HELPER_NAME "virt-proxyfs-helper"

/* The dedicated system user the helper serves as when started as root;
 * the install step creates it (build-aux/create-user.sh). */
#define PFS_HELPER_USER "virt-proxyfs"
#define PFS_HELPER_USER_HINT \
    "create it with: useradd --system --user-group --no-create-home " \
    "--home-dir /nonexistent --shell /usr/sbin/nologin " PFS_HELPER_USER

/* RLIMIT_NOFILE while serving: the helper holds a few fds of its own and
 * at most four more during a request. */
#define PFS_HELPER_MAX_FILES 64

#if defined(__SANITIZE_ADDRESS__)
/* Sanitizer builds (tests only): LeakSanitizer's exit-time scan clones
 * and ptraces the process, which the seccomp filter rightly kills.
 * Memory errors are still caught. */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
    return "detect_leaks=0";
}
#endif

/* Start-up (options, messages, the seccomp filter) freed what it
 * allocated, but the heap keeps those pages; serving allocates nothing,
 * so they go back for the helper's whole life. Not with AddressSanitizer,
 * whose allocator is not glibc's: there malloc_trim() would initialise
 * glibc's unused one, which calls getrandom(), outside the allowlist. */
static void
pfsHelperTrimHeap(void)
{
#if !defined(__SANITIZE_ADDRESS__)
    malloc_trim(0);
#endif
}


typedef struct _pfsHelperOptions pfsHelperOptions;
struct _pfsHelperOptions {
    char *path;
    char *fdStr;
    char *socketPath;
    char *uidStr;
    char *gidStr;
    gboolean nodaemon;
    gboolean readonly;
    gboolean allowDevices;
    gboolean unprivileged;
    char *logLevel;
    char *user;
    char *group;
    char *readyFdStr;
    char *busyPollStr;
    gboolean version;

    int fd;
    int readyFd;
    unsigned int busyPollUs;
    uid_t socketUid;
    gid_t socketGid;
    pfsLogPriority logThreshold;
};


static void
pfsHelperOptionsClear(pfsHelperOptions *opts)
{
    g_free(opts->path);
    g_free(opts->fdStr);
    g_free(opts->socketPath);
    g_free(opts->uidStr);
    g_free(opts->gidStr);
    g_free(opts->logLevel);
    g_free(opts->user);
    g_free(opts->group);
    g_free(opts->readyFdStr);
    g_free(opts->busyPollStr);
}


static int
pfsHelperParseId(const char *str, const char *what, unsigned int *id)
{
    guint64 val;

    if (!g_ascii_string_to_unsigned(str, 10, 0, G_MAXUINT32 - 1, &val, NULL)) {
        pfsReportError(_("invalid %s '%s': expected a number"), what, str);
        return -1;
    }
    *id = val;
    return 0;
}


static int
pfsHelperParseArgs(int argc, char **argv, pfsHelperOptions *opts)
{
    GOptionEntry entries[] = {
        { "path", 'p', 0, G_OPTION_ARG_FILENAME, &opts->path,
          N_("Directory to export (required)"), N_("PATH") },
        { "fd", 'f', 0, G_OPTION_ARG_STRING, &opts->fdStr,
          N_("Serve the connected socket inherited as file descriptor FD"), N_("FD") },
        { "socket", 's', 0, G_OPTION_ARG_FILENAME, &opts->socketPath,
          N_("Listen on a new Unix socket at PATH and serve one connection"), N_("PATH") },
        { "uid", 'u', 0, G_OPTION_ARG_STRING, &opts->uidStr,
          N_("Owner of the socket created with --socket"), N_("UID") },
        { "gid", 'g', 0, G_OPTION_ARG_STRING, &opts->gidStr,
          N_("Group of the socket created with --socket"), N_("GID") },
        { "nodaemon", 'n', 0, G_OPTION_ARG_NONE, &opts->nodaemon,
          N_("Stay in the foreground and log to stderr"), NULL },
        { "readonly", 0, 0, G_OPTION_ARG_NONE, &opts->readonly,
          N_("Refuse every request that would change the export (EROFS)"), NULL },
        { "allow-device-nodes", 0, 0, G_OPTION_ARG_NONE, &opts->allowDevices,
          N_("Let the guest's root create character and block devices"), NULL },
        { "unprivileged", 0, 0, G_OPTION_ARG_NONE, &opts->unprivileged,
          N_("Started as a normal user: serve with that user's rights, without a sandbox"), NULL },
        { "user", 0, 0, G_OPTION_ARG_STRING, &opts->user,
          /* the default is PFS_HELPER_USER, spelled out so that xgettext sees it */
          N_("Serve as this user, by name or uid, never root (default: virt-proxyfs)"),
          N_("USER") },
        { "group", 0, 0, G_OPTION_ARG_STRING, &opts->group,
          N_("Serve as this group, by name or gid (default: the user's group)"), N_("GROUP") },
        { "ready-fd", 0, 0, G_OPTION_ARG_STRING, &opts->readyFdStr,
          N_("Write '0' to FD once serving, or '1' and the reason start-up failed"), N_("FD") },
        { "busy-poll", 0, 0, G_OPTION_ARG_STRING, &opts->busyPollStr,
          N_("After each reply, wait up to USEC microseconds for the next request on the CPU instead of sleeping (default 0: sleep)"),
          N_("USEC") },
        { "log-level", 0, 0, G_OPTION_ARG_STRING, &opts->logLevel,
          N_("Least important messages to log: debug, info, warning or error (default: info)"),
          N_("LEVEL") },
        { "version", 'V', 0, G_OPTION_ARG_NONE, &opts->version,
          N_("Print the version and exit"), NULL },
        { NULL }
    };
    g_autoptr(GOptionContext) ctx = NULL;
    g_autoptr(GError) err = NULL;
    int level;

    ctx = g_option_context_new(NULL);
    g_option_context_set_translation_domain(ctx, GETTEXT_PACKAGE);
    g_option_context_set_summary(ctx,
        _("Serve a directory to QEMU over its 9p proxy protocol, confined to that directory.\n"
          "Give the directory with --path, and either --fd or --socket with --uid and --gid."));
    g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);

    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        pfsReportError("%s", err->message);
        return -1;
    }
    if (opts->version)
        return 0;
    if (argc > 1) {
        pfsReportError(_("unexpected argument '%s'"), argv[1]);
        return -1;
    }

    if (!opts->path) {
        pfsReportError(_("the directory to export is missing (--path)"));
        return -1;
    }
    if (!opts->fdStr && !opts->socketPath) {
        pfsReportError(_("either --fd or --socket is required"));
        return -1;
    }
    if (opts->fdStr && opts->socketPath) {
        pfsReportError(_("--fd and --socket cannot be used together"));
        return -1;
    }

    opts->fd = -1;
    if (opts->fdStr && pfsParseFD(opts->fdStr, &opts->fd) < 0) {
        pfsReportError(_("invalid file descriptor '%s'"), opts->fdStr);
        return -1;
    }
    opts->readyFd = -1;
    if (opts->readyFdStr && pfsParseFD(opts->readyFdStr, &opts->readyFd) < 0) {
        pfsReportError(_("invalid file descriptor '%s'"), opts->readyFdStr);
        return -1;
    }
    if (opts->busyPollStr) {
        guint64 usec;

        if (!g_ascii_string_to_unsigned(opts->busyPollStr, 10, 0,
                                        PFS_HELPER_BUSY_POLL_MAX_US, &usec, NULL)) {
            pfsReportError(_("invalid busy-poll time '%s': expected microseconds from 0 to %u"),
                           opts->busyPollStr, PFS_HELPER_BUSY_POLL_MAX_US);
            return -1;
        }
        opts->busyPollUs = usec;
    }
    if (opts->readyFd >= 0 && opts->readyFd == opts->fd) {
        pfsReportError(_("--ready-fd and --fd must be different file descriptors"));
        return -1;
    }

    if (opts->socketPath) {
        if (!opts->uidStr || !opts->gidStr) {
            pfsReportError(_("--socket needs both --uid and --gid"));
            return -1;
        }
        if (pfsHelperParseId(opts->uidStr, "uid", &opts->socketUid) < 0 ||
            pfsHelperParseId(opts->gidStr, "gid", &opts->socketGid) < 0)
            return -1;
    }

    opts->logThreshold = PFS_LOG_INFO;
    if (opts->logLevel) {
        if ((level = pfsLogPriorityTypeFromString(opts->logLevel)) < 0) {
            pfsReportError(_("unknown log level '%s'"), opts->logLevel);
            return -1;
        }
        opts->logThreshold = level;
    }
    return 0;
}


/* The inherited fd must be a connected stream socket; anything else
 * would only fail later in a less obvious way. */
static int
pfsHelperCheckSocket(int fd)
{
    int type = 0, domain = 0;
    socklen_t len = sizeof(type);
    struct stat st;

    if (fstat(fd, &st) < 0) {
        pfsReportSystemError(errno, _("file descriptor %d is not open"), fd);
        return -1;
    }
    if (!S_ISSOCK(st.st_mode) ||
        getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 ||
        (len = sizeof(domain),
         getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0) ||
        type != SOCK_STREAM || domain != AF_UNIX) {
        pfsReportError(_("file descriptor %d is not a Unix stream socket"), fd);
        return -1;
    }
    return 0;
}


static volatile sig_atomic_t pfsHelperStopRequested;

static void
pfsHelperStopHandler(int sig)
{
    pfsHelperStopRequested = sig;
}


/* Until the one client is there, SIGTERM and SIGINT end the wait (and
 * then the helper, which removes its socket) instead of killing us
 * outright. Installed before the socket exists, so that no signal can
 * fall between its creation and the wait. */
static void
pfsHelperCatchStopSignals(bool catch)
{
    struct sigaction act = { .sa_handler = catch ? pfsHelperStopHandler : SIG_DFL };

    /* no SA_RESTART: the signal must end the wait in ppoll() */
    sigemptyset(&act.sa_mask);
    sigaction(SIGTERM, &act, NULL);
    sigaction(SIGINT, &act, NULL);
}


static int
pfsHelperAccept(int listenfd, const char *path, uid_t peerUid)
{
    struct pollfd pfd = { .fd = listenfd, .events = POLLIN };
    sigset_t stops;
    sigset_t before;
    sigset_t waiting;
    int saved;
    int fd = -1;

    /* A stop signal that came between the check of the flag and a
     * blocking accept() would be handled before the call and never end
     * it. So they are blocked here, and let in only while ppoll() waits,
     * which checks and waits in one step; accept() itself never blocks. */
    sigemptyset(&stops);
    sigaddset(&stops, SIGTERM);
    sigaddset(&stops, SIGINT);
    if (sigprocmask(SIG_BLOCK, &stops, &before) < 0 ||
        fcntl(listenfd, F_SETFL, O_NONBLOCK) < 0) {
        pfsReportSystemError(errno, _("cannot wait for a connection on '%s'"), path);
        return -1;
    }
    waiting = before;
    sigdelset(&waiting, SIGTERM);
    sigdelset(&waiting, SIGINT);

    while (!pfsHelperStopRequested) {
        struct ucred cred;
        socklen_t len = sizeof(cred);

        if (ppoll(&pfd, 1, NULL, &waiting) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        fd = accept4(listenfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            /* the client may have gone between the two */
            if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
                continue;
            break;
        }
        /* Only QEMU's user may be served: another local process that
         * reached the socket (a wrong directory mode) is turned away, and
         * QEMU can still connect after it. */
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
            pfsReportSystemError(errno, _("cannot read the credentials of a client of '%s'"),
                                 path);
            pfsForceClose(&fd);
            sigprocmask(SIG_SETMASK, &before, NULL);
            return -1;
        }
        if (cred.uid == peerUid)
            break;
        PFS_WARN(_("refused a connection to '%s' from uid %u (pid %d): only uid %u may connect"),
                 path, (unsigned int)cred.uid, (int)cred.pid, (unsigned int)peerUid);
        pfsForceClose(&fd);
    }
    saved = errno;
    sigprocmask(SIG_SETMASK, &before, NULL);

    if (fd < 0 && pfsHelperStopRequested)
        pfsReportError(_("stopped by signal %d before a client connected to '%s'"),
                       (int)pfsHelperStopRequested, path);
    else if (fd < 0)
        pfsReportSystemError(saved, _("cannot accept a connection on '%s'"), path);
    return fd;
}


/* The parent of pfsReadyDaemonize(): stay until the daemon reports it
 * is ready (or why it failed), so that a launcher that starts us in the
 * background can rely on our exit status and, in socket mode, on the
 * socket existing. Never returns. */
static void G_GNUC_NORETURN
pfsHelperAwaitDaemon(int fd)
{
    g_autofree char *reason = NULL;

    switch (pfsReadyWait(fd, -1, &reason)) {
    case PFS_READY_OK:
        _exit(EXIT_SUCCESS);
    case PFS_READY_FAILED:
        if (*reason) {
            fprintf(stderr, "%s: %s\n", PFS_HELPER_NAME, reason);
            break;
        }
        G_GNUC_FALLTHROUGH;
    default:
        fprintf(stderr, _("%s: the daemon exited before it was ready\n"),
                PFS_HELPER_NAME);
        break;
    }
    _exit(EXIT_FAILURE);
}


/* Who to serve as, when started as root: a user of our own, never 0.
 * Looked up before confinement, while the name service is reachable. */
static int
pfsHelperResolveIdentity(const pfsHelperOptions *opts, pfsSandboxConfig *cfg)
{
    const char *user = opts->user ? opts->user : PFS_HELPER_USER;

    if (pfsUserLookup(user, &cfg->uid, &cfg->gid,
                      opts->user ? NULL : PFS_HELPER_USER_HINT) < 0)
        return -1;
    if (opts->group && pfsGroupLookup(opts->group, &cfg->gid) < 0)
        return -1;
    if (cfg->uid == 0 || cfg->gid == 0) {
        pfsReportError(_("the helper does not serve as root (user '%s', uid %u, gid %u); give it a user of its own"),
                       user, (unsigned int)cfg->uid, (unsigned int)cfg->gid);
        return -1;
    }
    return 0;
}


/* Not started as root: there is nothing to confine ourselves with. That
 * is only acceptable when asked for (the caller then knows the helper
 * works with its own rights, unsandboxed), and never with capabilities
 * obtained some other way. */
static int
pfsHelperCheckUnprivileged(const pfsHelperOptions *opts)
{
    guint64 effective = 0;

    if (!opts->unprivileged) {
        pfsReportError(_("the helper must be started as root to confine itself "
                         "(it then serves as user '%s'); to serve with your own "
                         "rights and no sandbox, pass --unprivileged"),
                       opts->user ? opts->user : PFS_HELPER_USER);
        return -1;
    }
    if (pfsCapsGetEffective(&effective) < 0)
        return -1;
    if (effective != 0) {
        pfsReportError(_("started as uid %u with capabilities %llx: "
                         "start the helper as root to be confined, or without capabilities"),
                       (unsigned int)geteuid(), (unsigned long long)effective);
        return -1;
    }
    PFS_WARN(_("not started as root: serving without a sandbox, with the rights of uid %u"),
             (unsigned int)geteuid());
    return 0;
}


/* What the guest creates in the export is real on the host: say so when
 * the host's mount of it would honour set-id bits or device nodes (our
 * own view of it in the sandbox never does). */
static void
pfsHelperWarnMountFlags(const pfsProxyExport *exp, bool allowDevices)
{
    struct statvfs sv;

    if (fstatvfs(exp->rootfd, &sv) < 0)
        return;
    if (!(sv.f_flag & ST_NOSUID))
        PFS_WARN(_("the export '%s' is mounted without nosuid on the host: "
                   "set-user-ID and set-group-ID files the guest creates there "
                   "take effect for host users"), exp->path);
    if (allowDevices && !(sv.f_flag & ST_NODEV))
        PFS_WARN(_("the export '%s' is mounted without nodev on the host: "
                   "device nodes the guest creates there give host users "
                   "access to those devices"), exp->path);
}


/* Tell whoever waits how start-up went: the parent in
 * pfsHelperAwaitDaemon() and the launcher's --ready-fd. On failure they
 * get our error, since our stderr may be /dev/null. */
static void
pfsHelperReportReady(int *readyfds, size_t n, bool ok)
{
    size_t i;

    for (i = 0; i < n; i++)
        pfsReadyNotify(&readyfds[i], ok, ok ? NULL : pfsErrorLastMessage());
}


int
main(int argc, char **argv)
{
    pfsHelperOptions opts = { 0 };
    pfsProxyExport exp = { .rootfd = -1, .procfd = -1 };
    pfsSandboxConfig sandbox = { .listenfd = -1 };
    pfsProxySocket namedSocket = PFS_PROXY_SOCKET_INIT;
    g_autoptr(pfsProxyServer) srv = NULL;
    PFS_AUTOCLOSE listenfd = -1;
    int readyfds[2] = { -1, -1 };
    int keep[2];
    size_t nkeep = 0;
    bool confine = geteuid() == 0;
    int sock = -1;
    int ret = EXIT_FAILURE;
    pfsProxyEnd end;

    setlocale(LC_ALL, "");
    bindtextdomain(GETTEXT_PACKAGE, LOCALEDIR);
    bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
    textdomain(GETTEXT_PACKAGE);

    pfsLogSetup(PFS_HELPER_NAME, PFS_LOG_TO_STDERR, PFS_LOG_INFO);

    if (pfsHelperParseArgs(argc, argv, &opts) < 0) {
        fprintf(stderr, "%s: %s\n", PFS_HELPER_NAME, pfsErrorLastMessage());
        fprintf(stderr, _("Try '%s --help' for more information.\n"), PFS_HELPER_NAME);
        pfsHelperOptionsClear(&opts);
        return EXIT_FAILURE;
    }
    if (opts.version) {
        printf("%s %s\n", PFS_HELPER_NAME, PACKAGE_VERSION);
        pfsHelperOptionsClear(&opts);
        return EXIT_SUCCESS;
    }

    /* A peer that goes away must not kill us in the middle of a reply. */
    signal(SIGPIPE, SIG_IGN);
    pfsLogSetup(PFS_HELPER_NAME, PFS_LOG_TO_STDERR, opts.logThreshold);
    readyfds[0] = opts.readyFd;

    if (opts.fd >= 0) {
        if (pfsHelperCheckSocket(opts.fd) < 0)
            goto cleanup;
        keep[nkeep++] = opts.fd;
    }
    if (opts.readyFd >= 0) {
        if (fcntl(opts.readyFd, F_GETFD) < 0) {
            readyfds[0] = -1;
            pfsReportSystemError(errno, _("file descriptor %d is not open"), opts.readyFd);
            goto cleanup;
        }
        keep[nkeep++] = opts.readyFd;
    }

    if (confine && opts.unprivileged) {
        pfsReportError(_("--unprivileged is for helpers started as a normal user"));
        goto cleanup;
    }
    if (confine) {
        sandbox.readonly = opts.readonly;
        sandbox.allowDevices = opts.allowDevices;
        sandbox.maxFiles = PFS_HELPER_MAX_FILES;
        if (pfsHelperResolveIdentity(&opts, &sandbox) < 0)
            goto cleanup;
        /* nothing inherited stays open but stdio and the fds we use */
        if (pfsSandboxPrepare(keep, nkeep, sandbox.maxFiles) < 0)
            goto cleanup;
    } else if (pfsHelperCheckUnprivileged(&opts) < 0) {
        goto cleanup;
    }

    if (opts.fd >= 0) {
        /* Daemonizing points 0-2 at /dev/null: move the socket out of
         * the way first. */
        if (opts.fd <= STDERR_FILENO) {
            int moved = fcntl(opts.fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
            if (moved < 0) {
                pfsReportSystemError(errno, _("cannot duplicate file descriptor %d"),
                                     opts.fd);
                goto cleanup;
            }
            close(opts.fd);
            opts.fd = moved;
        } else if (pfsSetCloseExec(opts.fd, true) < 0) {
            goto cleanup;
        }
        sock = opts.fd;
    }

    if (!opts.nodaemon) {
        int fd;
        pid_t pid;

        if ((pid = pfsReadyDaemonize(false, &fd)) < 0)
            goto cleanup;
        if (pid > 0)
            pfsHelperAwaitDaemon(fd);
        readyfds[1] = fd;
        pfsLogSetup(PFS_HELPER_NAME, PFS_LOG_TO_SYSLOG, opts.logThreshold);
    }

    /* After daemonizing: the export holds /proc/self/fd of this process. */
    if (pfsProxyExportOpen(&exp, opts.path) < 0)
        goto cleanup;
    exp.readonly = opts.readonly;
    exp.allowDevices = opts.allowDevices;
    if (!opts.readonly)
        pfsHelperWarnMountFlags(&exp, opts.allowDevices);

    if (opts.socketPath) {
        pfsHelperCatchStopSignals(true);
        /* the private directories it makes may belong to the user we
         * serve as, when it removes the socket once confined */
        namedSocket.owners[1] = confine ? sandbox.uid : geteuid();
        if ((listenfd = pfsProxySocketListen(&namedSocket, opts.socketPath,
                                             opts.socketUid, opts.socketGid)) < 0)
            goto cleanup;
        sandbox.listenfd = listenfd;
    }

    /* Modes arrive with the guest's umask already applied. */
    umask(0);

    sandbox.exportPath = exp.path;
    if (confine && pfsSandboxEnter(&exp, &sandbox) < 0)
        goto cleanup;

    pfsHelperReportReady(readyfds, G_N_ELEMENTS(readyfds), true);

    if (opts.socketPath) {
        PFS_INFO(_("waiting for a connection on '%s'"), opts.socketPath);
        if ((sock = pfsHelperAccept(listenfd, opts.socketPath, opts.socketUid)) < 0)
            goto cleanup;
        /* The path has served: QEMU removes it once connected, but may
         * not be allowed to (the libvirt hook's directory is root's), so
         * we do, unless it is not our socket any more. The directory's
         * fd, outside our root, goes before the first request. */
        pfsProxySocketRemove(&namedSocket);
        pfsProxySocketClear(&namedSocket);
        pfsForceClose(&listenfd);
        pfsHelperCatchStopSignals(false);
    }

    PFS_INFO(_("serving '%s'%s%s"), exp.path,
             opts.readonly ? _(" read-only") : "",
             confine ? _(" in a sandbox") : "");

    srv = pfsProxyServerNew(&exp, sock);
    srv->busyPollNs = (uint64_t)opts.busyPollUs * 1000;
    pfsHelperTrimHeap();
    end = pfsProxyServerRun(srv);
    switch (end) {
    case PFS_PROXY_END_EOF:
        PFS_INFO(_("client disconnected after %llu requests; exiting"),
                 (unsigned long long)srv->requests);
        ret = EXIT_SUCCESS;
        break;
    case PFS_PROXY_END_PROTOCOL:
    case PFS_PROXY_END_IO:
    case PFS_PROXY_END_LAST:
    default:
        PFS_ERROR(_("connection ended after %llu requests (%s error); exiting"),
                  (unsigned long long)srv->requests,
                  pfsProxyEndTypeToString(end));
        break;
    }

 cleanup:
    if (ret != EXIT_SUCCESS && pfsErrorLastMessage())
        PFS_ERROR("%s", pfsErrorLastMessage());
    /* Nobody connected: do not leave a socket that blocks the next start. */
    pfsProxySocketRemove(&namedSocket);
    pfsProxySocketClear(&namedSocket);
    pfsHelperReportReady(readyfds, G_N_ELEMENTS(readyfds), false);
    pfsForceClose(&sock);
    pfsProxyExportClose(&exp);
    pfsHelperOptionsClear(&opts);
    return ret;
}
