/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxyfsdemo.c: show virt-proxyfs-helper at work, in plain words
 *
 * It starts the helper on a demo export the way a launcher does (one end
 * of a socketpair), sends the requests QEMU would send for a guest that
 * creates files as different users, tries a few ways out of the export,
 * and then shows what the host sees and which privileges the helper kept.
 */
#include "pfsinternal.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "pfstestclient.h"
#include "pfstestutils.h"

static void
step(const char *what, int32_t r)
{
    if (r == PFS_TEST_CONN_FAILED)
        printf("  %-58s  FAILED: the helper stopped answering\n", what);
    else if (r < 0)
        printf("  %-58s  refused: %s\n", what, g_strerror(-r));
    else
        printf("  %-58s  done\n", what);
}


static void
refusal(const char *what, int32_t r, const char *why)
{
    if (r >= 0 || r == PFS_TEST_CONN_FAILED)
        printf("  %-58s  NOT REFUSED (unexpected)\n", what);
    else
        printf("  %-58s  refused (%s): %s\n", what, g_strerror(-r), why);
}


static void
listTree(const char *root, const char *rel)
{
    g_autofree char *path = g_build_filename(root, rel, NULL);
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *name;
    guint i;

    if (!dir)
        return;
    while ((name = g_dir_read_name(dir)))
        g_ptr_array_add(names, g_strdup(name));
    g_ptr_array_sort(names, pfsTestCompareStrPtr);

    for (i = 0; i < names->len; i++) {
        g_autofree char *child = g_build_filename(rel, g_ptr_array_index(names, i), NULL);
        g_autofree char *full = g_build_filename(root, child, NULL);
        char target[256] = "";
        char kind = '?';
        struct stat st;

        if (lstat(full, &st) < 0)
            continue;
        switch (st.st_mode & S_IFMT) {
        case S_IFDIR: kind = 'd'; break;
        case S_IFREG: kind = '-'; break;
        case S_IFLNK: kind = 'l'; break;
        case S_IFIFO: kind = 'p'; break;
        case S_IFSOCK: kind = 's'; break;
        case S_IFCHR: kind = 'c'; break;
        case S_IFBLK: kind = 'b'; break;
        }
        if (S_ISLNK(st.st_mode)) {
            ssize_t n = readlink(full, target, sizeof(target) - 1);
            target[MAX(n, 0)] = '\0';
        }
        printf("  %c%04o  %5u:%-5u  %6lld  %s%s%s\n", kind, st.st_mode & 07777,
               st.st_uid, st.st_gid, (long long)st.st_size, child,
               S_ISLNK(st.st_mode) ? " -> " : "", target);
        if (S_ISDIR(st.st_mode))
            listTree(root, child);
    }
}


static void
showPrivileges(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/status", (int)pid);
    g_autofree char *status = NULL;
    g_auto(GStrv) lines = NULL;
    size_t i;

    if (!g_file_get_contents(path, &status, NULL, NULL))
        return;
    lines = g_strsplit(status, "\n", -1);
    for (i = 0; lines[i]; i++) {
        if (g_str_has_prefix(lines[i], "Uid:") || g_str_has_prefix(lines[i], "Cap") ||
            g_str_has_prefix(lines[i], "Threads:"))
            printf("  %s\n", lines[i]);
    }
    printf("  (CapEff 1b = chown, dac_override, fowner, fsetid: what creating files\n"
           "   with the guest's owners needs, and nothing that reaches outside)\n");
}


int
main(int argc, char **argv)
{
    g_autofree char *helperPath = NULL;
    gboolean keep = FALSE;
    GOptionEntry entries[] = {
        { "helper", 0, 0, G_OPTION_ARG_FILENAME, &helperPath,
          "virt-proxyfs-helper to run", "PATH" },
        { "keep", 0, 0, G_OPTION_ARG_NONE, &keep,
          "Keep the demo directory afterwards", NULL },
        { NULL }
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);
    g_autoptr(GError) err = NULL;
    g_autofree char *top = NULL;
    g_autofree char *root = NULL;
    g_autofree char *outside = NULL;
    g_autofree char *fifo = NULL;
    g_autoptr(pfsTestHelper) h = NULL;
    char buf[256];
    int fd = -1;
    int status;

    setlocale(LC_ALL, "");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_summary(ctx, "Show virt-proxyfs-helper serving a demo export.");
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        fprintf(stderr, "proxyfsdemo: %s\n", err->message);
        return 1;
    }
    if (!helperPath) {
        fprintf(stderr, "proxyfsdemo: --helper is required\n");
        return 1;
    }

    top = g_build_filename(g_get_tmp_dir(), "virt-proxyfs-demo-XXXXXX", NULL);
    if (!g_mkdtemp(top)) {
        fprintf(stderr, "proxyfsdemo: cannot create a directory in %s\n", g_get_tmp_dir());
        return 1;
    }
    chmod(top, 0755);
    root = g_build_filename(top, "export", NULL);
    outside = g_build_filename(top, "outside", NULL);
    mkdir(root, 0755);
    mkdir(outside, 0755);
    pfsTestWriteFile(outside, "secret", "host secret\n");
    fifo = g_build_filename(root, "pipe", NULL);
    mkfifo(fifo, 0644);

    printf("virt-proxyfs demo\n=================\n\n");
    printf("The helper serves one directory of the host to one QEMU, over a\n"
           "socketpair, speaking QEMU's 9p proxy protocol. Here this program plays\n"
           "QEMU: it sends the requests a Linux guest's file operations turn into.\n\n");
    printf("Export (host directory): %s\n", root);
    printf("Outside it (never reachable): %s/secret\n", outside);

    if (!(h = pfsTestHelperStart(helperPath, root, NULL)))
        return 1;
    printf("Helper: %s -n -p %s -f <fd>   (pid %d)\n\n", helperPath, root, (int)h->pid);

    if (geteuid() != 0)
        printf("Note: not running as root, so the helper cannot give files the guest's\n"
               "owners; run the demo as root to see that part work.\n\n");

    printf("What the guest does:\n");
    step("lstat /   (QEMU's first request)", pfsTestLstat(h, "/", NULL));
    step("mkdir /home/alice as uid 1000, gid 1000, mode 0750",
         pfsTestMkdir(h, 0, 0, "//home", 0755) < 0 ? -EIO :
         pfsTestMkdir(h, 1000, 1000, "//home/alice", 0750));
    {
        int32_t r = pfsTestCreate(h, "//home/alice/notes.txt", O_CREAT | O_EXCL | O_WRONLY,
                                  0640, 1000, 1000, &fd);
        step("create /home/alice/notes.txt as 1000:1000, mode 0640", r);
        if (fd >= 0) {
            const char *text = "written by the guest through the fd the helper passed\n";
            printf("  %-58s  %zd bytes\n", "  write through the fd QEMU received",
                   write(fd, text, strlen(text)));
            close(fd);
            fd = -1;
        }
    }
    step("mkdir /shared as root, then chown it to 0:2000, chmod 2775",
         pfsTestMkdir(h, 0, 0, "//shared", 0755) < 0 ? -EIO :
         pfsTestChown(h, "//shared", 0, 2000) < 0 ? -EPERM :
         pfsTestChmod(h, "//shared", 02775));
    {
        int32_t r = pfsTestCreate(h, "//shared/report", O_CREAT | O_RDWR, 0664, 1001, 1001, &fd);
        if (fd >= 0)
            close(fd);
        fd = -1;
        step("create /shared/report as 1001:1001 (setgid dir: group 2000)", r);
    }
    step("symlink /home/alice/latest -> notes.txt as 1000:1000",
         pfsTestSymlink(h, 1000, 1000, "notes.txt", "//home/alice/latest"));
    step("setxattr user.tag=draft on notes.txt",
         pfsTestSetxattr(h, "//home/alice/notes.txt", "user.tag", "draft", 5, 5, 0));
    step("rename /shared/report to /shared/report-final",
         pfsTestRename(h, "//shared/report", "//shared/report-final"));

    printf("\nWhat a compromised QEMU or guest might try:\n");
    refusal("open ../outside/secret", pfsTestOpen(h, "/../outside/secret", O_RDONLY, &fd),
            "'..' stops at the export root");
    {
        g_autofree char *abs = g_build_filename(outside, "secret", NULL);
        int32_t r = pfsTestSymlink(h, 0, 0, abs, "//escape");
        (void)r;
        refusal("symlink /escape -> <host path of secret>, open /escape",
                pfsTestOpen(h, "//escape", O_RDONLY, &fd),
                "symlinks resolve inside the export");
    }
    refusal("open /pipe (a FIFO)", pfsTestOpen(h, "//pipe", O_RDONLY, &fd),
            "special files are never opened");
    refusal("mknod /console (char device 5:1) as root",
            pfsTestMknod(h, 0, 0, "//console", S_IFCHR | 0600, makedev(5, 1)),
            "device nodes are off unless allowed");
    refusal("setxattr security.capability on notes.txt",
            pfsTestSetxattr(h, "//home/alice/notes.txt", "security.capability",
                            "\x01\x00\x00\x02\xff\xff\xff\xff\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
                            20, 20, 0),
            "the helper cannot grant file capabilities");
    {
        g_autofree char *secret = g_build_filename(outside, "secret", NULL);
        g_autofree char *content = pfsTestReadFile(secret);
        printf("  the secret outside is still: %s", content ? content : "(gone!)\n");
    }
    if (pfsTestReadlink(h, "//home/alice/latest", 4096, buf, sizeof(buf)) == 0)
        printf("  (the guest's own symlink still reads: latest -> %s)\n", buf);

    printf("\nThe helper process, while it serves:\n");
    showPrivileges(h->pid);

    status = pfsTestHelperFinish(h);
    printf("\nQEMU hung up; the helper exited with status %d.\n",
           WIFEXITED(status) ? WEXITSTATUS(status) : -1);

    printf("\nWhat the host sees in the export (mode, owner:group, size, name):\n");
    listTree(root, "");

    if (keep) {
        printf("\nKept: %s\n", top);
    } else {
        pfsTestRemoveTree(top);
        printf("\n(The demo directory was removed; --keep keeps it.)\n");
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
