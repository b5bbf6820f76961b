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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "pfscaps.h"
#include "pfserror.h"
#include "pfsfile.h"
#include "pfslog.h"
#include "proxyfs_export.h"
#include "proxyfs_server.h"

#define PFS_HELPER_NAME "virt-proxyfs-helper"

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
    char *logLevel;
    gboolean version;

    int fd;
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


/* QEMU's helper refuses a path that exists, and so do we: a socket left
 * by a crashed helper must be removed by whoever manages it. */
static int
pfsHelperListen(const pfsHelperOptions *opts)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    PFS_AUTOCLOSE fd = -1;
    mode_t oldmask;
    struct stat st;
    int r;

    if (strlen(opts->socketPath) >= sizeof(addr.sun_path)) {
        pfsReportError(_("socket path '%s' is too long (at most %zu bytes)"),
                       opts->socketPath, sizeof(addr.sun_path) - 1);
        return -1;
    }
    if (lstat(opts->socketPath, &st) == 0) {
        pfsReportError(_("socket path '%s' already exists"), opts->socketPath);
        return -1;
    }
    strcpy(addr.sun_path, opts->socketPath);

    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
        pfsReportSystemError(errno, _("cannot create a Unix socket"));
        return -1;
    }
    /* srwxrwx---: the owner and group given on the command line only */
    oldmask = umask(007);
    r = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
    umask(oldmask);
    if (r < 0) {
        pfsReportSystemError(errno, _("cannot bind socket '%s'"), opts->socketPath);
        return -1;
    }
    if (chown(opts->socketPath, opts->socketUid, opts->socketGid) < 0) {
        pfsReportSystemError(errno, _("cannot change owner of socket '%s'"),
                             opts->socketPath);
        unlink(opts->socketPath);
        return -1;
    }
    if (listen(fd, 1) < 0) {
        pfsReportSystemError(errno, _("cannot listen on socket '%s'"), opts->socketPath);
        unlink(opts->socketPath);
        return -1;
    }
    r = fd;
    fd = -1;
    return r;
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

    /* no SA_RESTART: the signal must interrupt accept() */
    sigemptyset(&act.sa_mask);
    sigaction(SIGTERM, &act, NULL);
    sigaction(SIGINT, &act, NULL);
}


static int
pfsHelperAccept(int listenfd, const char *path)
{
    int fd = -1;

    while (!pfsHelperStopRequested) {
        fd = accept4(listenfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd >= 0 || errno != EINTR)
            break;
    }

    if (fd < 0 && pfsHelperStopRequested)
        pfsReportError(_("stopped by signal %d before a client connected to '%s'"),
                       (int)pfsHelperStopRequested, path);
    else if (fd < 0)
        pfsReportSystemError(errno, _("cannot accept a connection on '%s'"), path);
    return fd;
}


/* Detach from the terminal like daemon(3), except that the parent stays
 * until the child reports it is ready (or why it failed), so a launcher
 * that starts us in the background can rely on our exit status and, in
 * socket mode, on the socket existing. Returns, in the child, the write
 * end of the readiness pipe; the parent never returns. */
static int
pfsHelperDaemonize(void)
{
    int pipefd[2];
    pid_t pid;
    int nullfd;

    if (pipe2(pipefd, O_CLOEXEC) < 0) {
        pfsReportSystemError(errno, _("cannot create a pipe"));
        return -1;
    }
    if ((pid = fork()) < 0) {
        pfsReportSystemError(errno, _("cannot fork"));
        return -1;
    }
    if (pid > 0) {
        char report[1024] = "";
        ssize_t n;

        /* The child writes "0" when ready, or "1" and its error. */
        close(pipefd[1]);
        n = pfsSafeRead(pipefd[0], report, sizeof(report) - 1);
        if (n > 0 && report[0] == '0')
            _exit(EXIT_SUCCESS);
        if (n > 1)
            fprintf(stderr, "%s: %s\n", PFS_HELPER_NAME, report + 1);
        else
            fprintf(stderr, _("%s: the daemon exited before it was ready\n"),
                    PFS_HELPER_NAME);
        _exit(EXIT_FAILURE);
    }

    close(pipefd[0]);
    if (setsid() < 0 || chdir("/") < 0)
        _exit(EXIT_FAILURE);
    if ((nullfd = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0) {
        dup2(nullfd, STDIN_FILENO);
        dup2(nullfd, STDOUT_FILENO);
        dup2(nullfd, STDERR_FILENO);
        if (nullfd > STDERR_FILENO)
            close(nullfd);
    }
    return pipefd[1];
}


/* Started as root, keep only the capabilities file operations on behalf
 * of the guest need, and empty the bounding set, before the first
 * request: no CAP_SYS_ADMIN (trusted.* xattrs, mounts), no CAP_SETFCAP
 * (file capabilities on host files), no CAP_DAC_READ_SEARCH
 * (open_by_handle_at). CAP_MKNOD only when device nodes are allowed. */
static int
pfsHelperLimitCaps(const pfsHelperOptions *opts)
{
    int caps[] = { CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_FSETID, CAP_MKNOD };
    size_t ncaps = G_N_ELEMENTS(caps) - (opts->allowDevices ? 0 : 1);

    if (geteuid() != 0) {
        PFS_DEBUG("not running as root: keeping the capabilities we were given");
        return 0;
    }
    return pfsCapsLimit(caps, ncaps);
}


/* Tell the parent waiting in pfsHelperDaemonize() how start-up went;
 * on failure it prints our error, since our stderr is /dev/null. */
static void
pfsHelperReportReady(int *readyfd, bool ok)
{
    g_autofree char *report = NULL;

    if (*readyfd < 0)
        return;
    if (ok)
        report = g_strdup("0");
    else
        report = g_strdup_printf("1%s", PFS_NULLSTR(pfsErrorLastMessage()));
    if (pfsSafeWrite(*readyfd, report, strlen(report)) < 0)
        PFS_WARN(_("cannot tell the parent process how start-up went: %s"),
                 g_strerror(errno));
    pfsForceClose(readyfd);
}


int
main(int argc, char **argv)
{
    pfsHelperOptions opts = { 0 };
    pfsProxyExport exp = { .rootfd = -1, .procfd = -1 };
    g_autoptr(pfsProxyServer) srv = NULL;
    PFS_AUTOCLOSE listenfd = -1;
    PFS_AUTOCLOSE readyfd = -1;
    bool socketCreated = false;
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

    if (opts.fd >= 0) {
        if (pfsHelperCheckSocket(opts.fd) < 0)
            goto cleanup;
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
        if ((readyfd = pfsHelperDaemonize()) < 0)
            goto cleanup;
        pfsLogSetup(PFS_HELPER_NAME, PFS_LOG_TO_SYSLOG, opts.logThreshold);
    }

    /* After daemonizing: the export holds /proc/self/fd of this process. */
    if (pfsProxyExportOpen(&exp, opts.path) < 0)
        goto cleanup;
    exp.readonly = opts.readonly;
    exp.allowDevices = opts.allowDevices;

    if (opts.socketPath) {
        pfsHelperCatchStopSignals(true);
        if ((listenfd = pfsHelperListen(&opts)) < 0)
            goto cleanup;
        socketCreated = true;
        if (pfsHelperLimitCaps(&opts) < 0)
            goto cleanup;
        pfsHelperReportReady(&readyfd, true);
        PFS_INFO(_("waiting for a connection on '%s'"), opts.socketPath);
        if ((sock = pfsHelperAccept(listenfd, opts.socketPath)) < 0)
            goto cleanup;
        /* From here the path is the client's: QEMU removes it. */
        socketCreated = false;
        pfsForceClose(&listenfd);
        pfsHelperCatchStopSignals(false);
    } else if (pfsHelperLimitCaps(&opts) < 0) {
        goto cleanup;
    }

    /* Modes arrive with the guest's umask already applied. */
    umask(0);

    PFS_INFO(_("serving '%s'%s"), opts.path,
             opts.readonly ? _(" read-only") : "");
    pfsHelperReportReady(&readyfd, true);

    srv = pfsProxyServerNew(&exp, sock);
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
    if (socketCreated)
        unlink(opts.socketPath);
    pfsHelperReportReady(&readyfd, false);
    pfsForceClose(&sock);
    pfsProxyExportClose(&exp);
    pfsHelperOptionsClear(&opts);
    return ret;
}
