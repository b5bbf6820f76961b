/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_monitor.c: the few QMP commands the driver needs
 *
 * QMP sends one JSON object per line. The driver only needs to tell
 * answers ("return" or "error") from events and to notice SHUTDOWN, so
 * lines are classified by their top-level key rather than parsed whole.
 */
#include "pfsinternal.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "pfserror.h"
#include "pfsfile.h"
#include "qemu_monitor.h"

#define QEMU_MONITOR_COMMAND_TIMEOUT_MS (30 * 1000)

struct _qemuMonitor {
    int fd;
    GString *in;        /* received, not yet a whole line */
    bool shutdownSeen;
};

typedef enum {
    QEMU_MONITOR_LINE_OTHER = 0,
    QEMU_MONITOR_LINE_RETURN,
    QEMU_MONITOR_LINE_ERROR,
    QEMU_MONITOR_LINE_EVENT,
    QEMU_MONITOR_LINE_GREETING,
} qemuMonitorLineType;


/* The value of the string member @key in @line ("SHUTDOWN" for "event"),
 * or NULL. Enough for QMP's own output, which never nests these keys. */
static char *
qemuMonitorLineString(const char *line, const char *key)
{
    g_autofree char *quoted = g_strdup_printf("\"%s\"", key);
    const char *p = strstr(line, quoted);
    const char *end;

    if (!p)
        return NULL;
    p += strlen(quoted);
    while (*p == ' ' || *p == ':')
        p++;
    if (*p != '"' || !(end = strchr(p + 1, '"')))
        return NULL;
    return g_strndup(p + 1, end - p - 1);
}


static qemuMonitorLineType
qemuMonitorClassify(qemuMonitor *mon, const char *line)
{
    g_autofree char *event = NULL;

    if (strstr(line, "\"QMP\""))
        return QEMU_MONITOR_LINE_GREETING;
    if (strstr(line, "\"return\""))
        return QEMU_MONITOR_LINE_RETURN;
    if (strstr(line, "\"error\""))
        return QEMU_MONITOR_LINE_ERROR;
    if ((event = qemuMonitorLineString(line, "event"))) {
        if (strcmp(event, "SHUTDOWN") == 0)
            mon->shutdownSeen = true;
        return QEMU_MONITOR_LINE_EVENT;
    }
    return QEMU_MONITOR_LINE_OTHER;
}


/* Read once (waiting up to @timeoutMs). Returns 1 when data came, 0 on
 * timeout, -1 when the connection is gone (reported). */
static int
qemuMonitorFill(qemuMonitor *mon, int timeoutMs)
{
    struct pollfd pfd = { .fd = mon->fd, .events = POLLIN };
    char buf[4096];
    ssize_t n;
    int r;

    do {
        r = poll(&pfd, 1, timeoutMs);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
        pfsReportSystemError(errno, "%s", _("cannot wait for the QEMU monitor"));
        return -1;
    }
    if (r == 0)
        return 0;
    do {
        n = read(mon->fd, buf, sizeof(buf));
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        pfsReportSystemError(errno, "%s", _("cannot read from the QEMU monitor"));
        return -1;
    }
    if (n == 0) {
        pfsReportError("%s", _("QEMU closed its monitor (it exited)"));
        return -1;
    }
    g_string_append_len(mon->in, buf, n);
    return 1;
}


/* Take the next whole line, or NULL. */
static char *
qemuMonitorNextLine(qemuMonitor *mon)
{
    char *nl = memchr(mon->in->str, '\n', mon->in->len);
    char *line;

    if (!nl)
        return NULL;
    line = g_strndup(mon->in->str, nl - mon->in->str);
    g_string_erase(mon->in, 0, nl - mon->in->str + 1);
    return g_strchomp(line);
}


/* Wait for a line of type @want (events are noted on the way). Returns
 * the line, or NULL with an error. */
static char *
qemuMonitorWaitFor(qemuMonitor *mon, bool greeting, int timeoutMs)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeoutMs * 1000;

    for (;;) {
        char *line;
        gint64 left;

        while ((line = qemuMonitorNextLine(mon))) {
            qemuMonitorLineType type = qemuMonitorClassify(mon, line);

            if (greeting ? type == QEMU_MONITOR_LINE_GREETING :
                (type == QEMU_MONITOR_LINE_RETURN || type == QEMU_MONITOR_LINE_ERROR))
                return line;
            g_free(line);
        }
        left = (deadline - g_get_monotonic_time()) / 1000;
        if (left <= 0) {
            pfsReportError("%s", _("QEMU's monitor did not answer in time"));
            return NULL;
        }
        if (qemuMonitorFill(mon, (int)MIN(left, G_MAXINT)) < 0)
            return NULL;
    }
}


/* send() with MSG_NOSIGNAL: QEMU may exit at any moment (the guest powered
 * off as the driver tears a domain down), and a write() to its closed
 * monitor would kill the driver with SIGPIPE instead of failing. */
static int
qemuMonitorSend(qemuMonitor *mon, const char *name)
{
    g_autofree char *msg = g_strdup_printf("{\"execute\": \"%s\"}\r\n", name);
    size_t len = strlen(msg);
    size_t done = 0;

    while (done < len) {
        ssize_t r = send(mon->fd, msg + done, len - done, MSG_NOSIGNAL);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            pfsReportSystemError(r < 0 ? errno : EIO,
                                 _("cannot send '%s' to the QEMU monitor"), name);
            return -1;
        }
        done += r;
    }
    return 0;
}


int
qemuMonitorCommand(qemuMonitor *mon, const char *name)
{
    g_autofree char *line = NULL;
    g_autofree char *desc = NULL;

    if (qemuMonitorSend(mon, name) < 0 ||
        !(line = qemuMonitorWaitFor(mon, false, QEMU_MONITOR_COMMAND_TIMEOUT_MS)))
        return -1;
    if (qemuMonitorClassify(mon, line) == QEMU_MONITOR_LINE_ERROR) {
        desc = qemuMonitorLineString(line, "desc");
        pfsReportError(_("QEMU refused '%s': %s"), name, desc ? desc : line);
        return -1;
    }
    return 0;
}


qemuMonitor *
qemuMonitorOpen(const char *path, pid_t pid, int timeoutMs)
{
    g_autoptr(qemuMonitor) mon = g_new0(qemuMonitor, 1);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    g_autofree char *greeting = NULL;

    mon->in = g_string_new(NULL);
    if (strlen(path) >= sizeof(addr.sun_path)) {
        pfsReportError(_("monitor socket path '%s' is too long"), path);
        return NULL;
    }
    strcpy(addr.sun_path, path);
    if ((mon->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
        pfsReportSystemError(errno, "%s", _("cannot create a socket"));
        return NULL;
    }
    /* QEMU was handed the listening socket: the connection is queued
     * until QEMU has started and accepts it */
    if (connect(mon->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        pfsReportSystemError(errno, _("cannot connect to the QEMU monitor '%s'"), path);
        return NULL;
    }
    if (kill(pid, 0) < 0 && errno == ESRCH) {
        pfsReportError("%s", _("QEMU exited while starting"));
        return NULL;
    }
    if (!(greeting = qemuMonitorWaitFor(mon, true, timeoutMs)) ||
        qemuMonitorCommand(mon, "qmp_capabilities") < 0)
        return NULL;
    return g_steal_pointer(&mon);
}


void
qemuMonitorClose(qemuMonitor *mon)
{
    if (!mon)
        return;
    pfsForceClose(&mon->fd);
    g_string_free(mon->in, TRUE);
    g_free(mon);
}


int
qemuMonitorGetFD(const qemuMonitor *mon)
{
    return mon->fd;
}


int
qemuMonitorReadEvents(qemuMonitor *mon)
{
    char *line;
    int r;

    if ((r = qemuMonitorFill(mon, 0)) < 0)
        return -1;
    while ((line = qemuMonitorNextLine(mon))) {
        qemuMonitorClassify(mon, line);
        g_free(line);
    }
    return 0;
}


bool
qemuMonitorShutdownSeen(const qemuMonitor *mon)
{
    return mon->shutdownSeen;
}
