/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemumonitortest.c: the QMP client, against a scripted monitor
 *
 * A child process plays QEMU on a listening Unix socket: it accepts,
 * greets, answers qmp_capabilities, then follows a script of replies
 * (one per command the driver sends), and may hang up at any point.
 */
#include "pfsinternal.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pfserror.h"
#include "pfstestutils.h"
#include "qemu_monitor.h"

typedef struct {
    char *dir;
    char *path;
    pid_t pid;
} fakeMonitor;


/* Read one line from @fd (the command); false at EOF. */
static bool
fakeReadLine(int fd)
{
    char c;

    for (;;) {
        ssize_t n = read(fd, &c, 1);
        if (n <= 0)
            return false;
        if (c == '\n')
            return true;
    }
}


static void
fakeWrite(int fd, const char *text)
{
    size_t len = strlen(text);

    if (write(fd, text, len) != (ssize_t)len)
        _exit(3);
}


/* Serve one connection: greeting, qmp_capabilities, then for each
 * element of @replies, read a command and write the reply (which may
 * contain event lines before it). A NULL element: hang up. */
static void
fakeServe(int listenfd, const char *const *replies)
{
    int fd = accept(listenfd, NULL, NULL);

    if (fd < 0)
        _exit(2);
    fakeWrite(fd, "{\"QMP\": {\"version\": {}, \"capabilities\": []}}\r\n");
    if (!fakeReadLine(fd))
        _exit(4);
    fakeWrite(fd, "{\"return\": {}}\r\n");
    for (; *replies; replies++) {
        if (!fakeReadLine(fd))
            _exit(5);
        fakeWrite(fd, *replies);
    }
    close(fd);
    _exit(0);
}


static void
fakeMonitorStart(fakeMonitor *fake, const char *const *replies)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int listenfd;

    fake->dir = pfsTestMakeTempDir("monitor");
    fake->path = g_build_filename(fake->dir, "mon.sock", NULL);
    g_strlcpy(addr.sun_path, fake->path, sizeof(addr.sun_path));
    listenfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(listenfd >= 0);
    assert_int_equal(bind(listenfd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    assert_int_equal(listen(listenfd, 1), 0);

    fake->pid = fork();
    assert_true(fake->pid >= 0);
    if (fake->pid == 0)
        fakeServe(listenfd, replies);
    close(listenfd);
}


/* The fake's exit status: 0 when it followed its whole script. */
static int
fakeMonitorFinish(fakeMonitor *fake)
{
    int status = -1;

    assert_int_equal(waitpid(fake->pid, &status, 0), fake->pid);
    pfsTestRemoveTree(fake->dir);
    g_free(fake->dir);
    g_free(fake->path);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}


static void
testCommands(void **state G_GNUC_UNUSED)
{
    static const char *const replies[] = {
        "{\"return\": {}}\r\n",
        "{\"error\": {\"class\": \"GenericError\", \"desc\": \"not now\"}}\r\n",
        "{\"timestamp\": {}, \"event\": \"SHUTDOWN\", \"data\": {}}\r\n{\"return\": {}}\r\n",
        NULL,
    };
    fakeMonitor fake;
    g_autoptr(qemuMonitor) mon = NULL;

    fakeMonitorStart(&fake, replies);
    mon = qemuMonitorOpen(fake.path, fake.pid, 5000);
    assert_non_null(mon);
    assert_false(qemuMonitorShutdownSeen(mon));

    assert_int_equal(qemuMonitorCommand(mon, "cont"), 0);
    assert_int_equal(qemuMonitorCommand(mon, "system_powerdown"), -1);
    pfsTestAssertLastError("QEMU refused 'system_powerdown': not now");
    /* an event before the reply is noted on the way */
    assert_int_equal(qemuMonitorCommand(mon, "stop"), 0);
    assert_true(qemuMonitorShutdownSeen(mon));
    assert_int_equal(fakeMonitorFinish(&fake), 0);
}


/* QEMU exits (its monitor closes) just before the driver sends a
 * command: an error to report, never SIGPIPE. */
static void
testCommandAfterQemuExited(void **state G_GNUC_UNUSED)
{
    static const char *const replies[] = { NULL };
    fakeMonitor fake;
    g_autoptr(qemuMonitor) mon = NULL;

    /* the default action, as in the driver: SIGPIPE kills */
    signal(SIGPIPE, SIG_DFL);
    fakeMonitorStart(&fake, replies);
    mon = qemuMonitorOpen(fake.path, fake.pid, 5000);
    assert_non_null(mon);
    assert_int_equal(fakeMonitorFinish(&fake), 0);

    assert_int_equal(qemuMonitorCommand(mon, "quit"), -1);
    pfsTestAssertLastError("cannot send 'quit' to the QEMU monitor");
    assert_int_equal(qemuMonitorReadEvents(mon), -1);
}


int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(testCommands),
        cmocka_unit_test(testCommandAfterQemuExited),
    };

    return cmocka_run_group_tests_name("qemu monitor", tests, NULL, NULL);
}
