/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * virt-proxyfs-hook.c: libvirt's QEMU hook for proxy shares
 *
 * libvirtd runs this program, installed as hooks/qemu.d/virt-proxyfs,
 * as root with NAME OPERATION SUBOPERATION EXTRA and the domain XML on
 * stdin. What it does is src/libvirt/libvirt_hook.c's; this is the
 * program around it: arguments, standard input, the one line of error
 * libvirt shows.
 */
#include "pfsinternal.h"

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pfserror.h"
#include "pfslog.h"
#include "libvirt_conf.h"
#include "libvirt_hook.h"

/* a domain XML is far smaller; this only bounds a runaway writer */
#define PFS_HOOK_MAX_XML (16 * 1024 * 1024)


/* libvirt shows our stderr as the error of the start: one line. */
static void
pfsHookPrintError(const char *name)
{
    const char *msg = pfsErrorLastMessage();
    g_autofree char *line = g_strdup(msg ? msg : _("unknown error"));

    g_strdelimit(line, "\r\n", ' ');
    fprintf(stderr, _("virt-proxyfs: domain '%s': %s\n"), name, line);
}


static char *
pfsHookReadStdin(void)
{
    g_autoptr(GString) buf = g_string_new(NULL);
    char chunk[65536];

    for (;;) {
        ssize_t n = read(STDIN_FILENO, chunk, sizeof(chunk));

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            pfsReportSystemError(errno, "%s", _("cannot read the domain XML from standard input"));
            return NULL;
        }
        if (n == 0)
            break;
        if (buf->len + n > PFS_HOOK_MAX_XML) {
            pfsReportError(_("the domain XML on standard input is larger than %d bytes"),
                           PFS_HOOK_MAX_XML);
            return NULL;
        }
        g_string_append_len(buf, chunk, n);
    }
    return g_string_free(g_steal_pointer(&buf), FALSE);
}


int
main(int argc, char **argv)
{
    const pfsLibvirtHookDirs dirs = {
        .runDir = PFS_LIBVIRT_RUN_DIR,
        .logDir = PFS_LIBVIRT_LOG_DIR,
    };
    g_autofree char *xml = NULL;
    const char *name;
    int rc = 0;

    setlocale(LC_ALL, "");
    bindtextdomain(GETTEXT_PACKAGE, LOCALEDIR);
    bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
    textdomain(GETTEXT_PACKAGE);
    pfsLogSetup("virt-proxyfs", PFS_LOG_TO_STDERR, PFS_LOG_WARNING);
    /* the directories we create are 0755 unless said otherwise */
    umask(022);

    if (argc < 4) {
        fprintf(stderr,
                _("usage: %s NAME OPERATION SUBOPERATION [EXTRA] < DOMAIN-XML\n"
                  "libvirt runs this as its QEMU hook; see docs/libvirt-integration.rst\n"),
                argv[0]);
        return EXIT_FAILURE;
    }
    name = argv[1];

    switch (pfsLibvirtHookActionFor(argv[2], argv[3])) {
    case PFS_LIBVIRT_HOOK_PREPARE:
        if (!(xml = pfsHookReadStdin()) ||
            pfsLibvirtHookPrepare(&dirs, name, xml) < 0)
            rc = -1;
        break;
    case PFS_LIBVIRT_HOOK_STOP:
        /* the pid files say it all: the XML is not needed (libvirt
         * ignores a hook that does not read it) */
        rc = pfsLibvirtHookStop(&dirs, name);
        break;
    case PFS_LIBVIRT_HOOK_NOTHING:
    case PFS_LIBVIRT_HOOK_LAST:
        break;
    }

    if (rc < 0) {
        pfsHookPrintError(name);
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}
