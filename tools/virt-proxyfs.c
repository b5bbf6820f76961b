/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * virt-proxyfs.c: the command-line tool
 *
 *   virt-proxyfs validate FILE          schema and semantic checks
 *   virt-proxyfs domxml-to-native FILE  the QEMU command line
 */
#include "pfsinternal.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pfserror.h"
#include "pfsxml.h"
#include "domain_conf.h"
#include "qemu_command.h"
#include "qemu_domain.h"

typedef struct {
    char *schema;
    int fdBase;
    char *libDir;
    gboolean oneLine;
} pfsToolOptions;


static void
pfsToolPrintError(void)
{
    const char *msg = pfsErrorLastMessage();

    fprintf(stderr, _("error: %s\n"), msg ? msg : _("unknown error"));
}


/* Read @path, check it against the schema (when @schema is set) and
 * the model, and make it ready for QEMU. */
static pfsDomainDef *
pfsToolLoadDomain(const char *path, const char *schema)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(pfsDomainDef) def = NULL;

    if (!(doc = pfsXMLParse(path, NULL, "domain", NULL)))
        return NULL;
    if (schema && pfsXMLValidateRNG(schema, doc) < 0)
        return NULL;
    if (!(def = pfsDomainDefParseDoc(doc)) ||
        qemuDomainPrepare(def) < 0)
        return NULL;
    return g_steal_pointer(&def);
}


static int
pfsToolValidate(const char *path, const pfsToolOptions *opts)
{
    g_autoptr(pfsDomainDef) def = pfsToolLoadDomain(path, opts->schema);

    if (!def)
        return -1;
    printf(_("%s validates\n"), path);
    return 0;
}


static int
pfsToolDomxmlToNative(const char *path, const pfsToolOptions *opts)
{
    g_autoptr(pfsDomainDef) def = pfsToolLoadDomain(path, NULL);
    g_autoptr(pfsCmdline) cmd = NULL;
    g_autofree int *fds = NULL;
    g_autofree char *libDir = NULL;
    g_autofree char *str = NULL;
    qemuCommandLineParams params = { 0 };
    size_t i;

    if (!def)
        return -1;

    /* stand-in descriptors numbered from --fd-base, as the launcher
     * would hand them over: the monitor first, then one per proxy */
    fds = g_new0(int, def->nfss + 1);
    params.monitorFD = opts->fdBase;
    for (i = 0; i < def->nfss; i++) {
        fds[i] = -1;
        if (def->fss[i]->fsdriver == PFS_DOMAIN_FS_DRIVER_TYPE_PROXY)
            fds[i] = opts->fdBase + 1 + i;
    }
    params.fsProxyFDs = fds;
    params.nfsProxyFDs = def->nfss;

    if (opts->libDir)
        libDir = g_strdup(opts->libDir);
    else
        libDir = g_strdup_printf("%s/lib/%s/qemu/domain--1-%s",
                                 PFS_LOCALSTATEDIR, PACKAGE, def->name);
    params.libDir = libDir;

    if (!(cmd = qemuBuildCommandLine(def, &params)))
        return -1;
    str = pfsCmdlineToString(cmd, !opts->oneLine);
    printf("%s\n", str);
    return 0;
}


int
main(int argc, char **argv)
{
    pfsToolOptions opts = { NULL, 3, NULL, FALSE };
    gboolean version = FALSE;
    GOptionEntry entries[] = {
        { "schema", 0, 0, G_OPTION_ARG_FILENAME, &opts.schema,
          N_("RELAX NG schema for 'validate' (default: the installed one)"), N_("FILE") },
        { "fd-base", 0, 0, G_OPTION_ARG_INT, &opts.fdBase,
          N_("first descriptor number shown by 'domxml-to-native' (default 3)"), "N" },
        { "lib-dir", 0, 0, G_OPTION_ARG_FILENAME, &opts.libDir,
          N_("the domain's private directory shown by 'domxml-to-native'"), N_("DIR") },
        { "one-line", 0, 0, G_OPTION_ARG_NONE, &opts.oneLine,
          N_("print the command line on one line"), NULL },
        { "version", 'V', 0, G_OPTION_ARG_NONE, &version,
          N_("print the version and exit"), NULL },
        { NULL }
    };
    g_autoptr(GOptionContext) ctx = NULL;
    g_autoptr(GError) err = NULL;
    const char *verb;
    int rc;

    setlocale(LC_ALL, "");
    bindtextdomain(GETTEXT_PACKAGE, LOCALEDIR);
    bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
    textdomain(GETTEXT_PACKAGE);

    ctx = g_option_context_new(_("COMMAND FILE"));
    g_option_context_set_translation_domain(ctx, GETTEXT_PACKAGE);
    g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
    g_option_context_set_summary(ctx,
        _("Commands:\n"
          "  validate FILE          check a domain XML file against the schema\n"
          "                         and the rules of the QEMU driver\n"
          "  domxml-to-native FILE  print the QEMU command line of a domain"));
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        fprintf(stderr, _("error: %s\n"), err->message);
        return EXIT_FAILURE;
    }
    if (version) {
        printf("%s %s\n", PACKAGE, PACKAGE_VERSION);
        return EXIT_SUCCESS;
    }
    if (argc != 3) {
        g_autofree char *help = g_option_context_get_help(ctx, TRUE, NULL);

        fprintf(stderr, "%s", help);
        return EXIT_FAILURE;
    }
    if (opts.fdBase <= 2) {
        fprintf(stderr, _("error: --fd-base must be at least 3, not %d\n"),
                opts.fdBase);
        return EXIT_FAILURE;
    }

    verb = argv[1];
    if (strcmp(verb, "validate") == 0) {
        if (!opts.schema)
            opts.schema = g_strdup(PFS_DOMAIN_SCHEMA);
        rc = pfsToolValidate(argv[2], &opts);
    } else if (strcmp(verb, "domxml-to-native") == 0) {
        rc = pfsToolDomxmlToNative(argv[2], &opts);
    } else {
        fprintf(stderr, _("error: unknown command '%s'\n"), verb);
        return EXIT_FAILURE;
    }

    g_free(opts.schema);
    g_free(opts.libDir);
    if (rc < 0) {
        pfsToolPrintError();
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}
