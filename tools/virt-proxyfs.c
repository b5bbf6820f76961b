/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * virt-proxyfs.c: the command-line tool
 *
 *   virt-proxyfs validate FILE          schema and semantic checks
 *   virt-proxyfs domxml-to-native FILE  the QEMU command line
 *   virt-proxyfs start FILE             run a domain (foreground by default)
 *   virt-proxyfs stop NAME              shut a running domain down
 *   virt-proxyfs list                   the running domains
 *   virt-proxyfs define FILE            define it in a stock libvirtd
 *   virt-proxyfs dumpxml|edit|undefine NAME   ... and back
 */
#include "pfsinternal.h"

#include <errno.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "pfserror.h"
#include "pfsxml.h"
#include "domain_conf.h"
#include "qemu_command.h"
#include "qemu_conf.h"
#include "qemu_domain.h"
#include "qemu_supervisor.h"
#include "libvirt_conf.h"
#include "libvirt_convert.h"


typedef struct {
    char *schema;
    int fdBase;
    char *libDir;
    gboolean oneLine;
    char *config;
    gboolean daemon;
    char *connect;
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
    /* the model first: its errors name what is wrong ("missing target
     * information"), where the schema's only say where it gave up
     * ("Extra element devices in interleave"); the schema still has
     * the last word */
    if (!(def = pfsDomainDefParseDoc(doc)) ||
        qemuDomainPrepare(def) < 0)
        return NULL;
    if (schema && pfsXMLValidateRNG(schema, doc) < 0)
        return NULL;
    return g_steal_pointer(&def);
}


/* A share whose directory is missing is valid XML, but the domain cannot
 * start: say so now rather than at the start. */
static void
pfsToolWarnSource(const char *target, const char *src)
{
    struct stat st;
    int err = 0;

    if (stat(src, &st) < 0)
        err = errno;
    else if (!S_ISDIR(st.st_mode))
        err = ENOTDIR;
    if (err != 0)
        fprintf(stderr, _("warning: the source directory '%s' of filesystem '%s': %s; the domain cannot start until it exists\n"),
                src, target, g_strerror(err));
}


static void
pfsToolWarnSources(const pfsDomainDef *def)
{
    size_t i;

    for (i = 0; i < def->nfss; i++) {
        const pfsDomainFSDef *fs = def->fss[i];

        if (fs->fsdriver == PFS_DOMAIN_FS_DRIVER_TYPE_PROXY && fs->src)
            pfsToolWarnSource(fs->dst, fs->src);
    }
}


static int
pfsToolValidate(const char *path, const pfsToolOptions *opts)
{
    g_autoptr(pfsDomainDef) def = pfsToolLoadDomain(path, opts->schema);

    if (!def)
        return -1;
    pfsToolWarnSources(def);
    printf(_("%s validates\n"), path);
    return 0;
}


static int
pfsToolDomxmlToNative(const char *path, const pfsToolOptions *opts)
{
    g_autoptr(pfsDomainDef) def = pfsToolLoadDomain(path, NULL);
    g_autoptr(pfsCmdline) cmd = NULL;
    g_autofree char *libDir = NULL;
    g_autofree char *str = NULL;

    if (!def)
        return -1;

    if (opts->libDir)
        libDir = g_strdup(opts->libDir);
    else
        libDir = g_strdup_printf("%s/lib/%s/qemu/domain--1-%s",
                                 PFS_LOCALSTATEDIR, PACKAGE, def->name);

    /* stand-in descriptors numbered from --fd-base, as the launcher
     * would hand them over: the monitor first, then one per proxy */
    if (!(cmd = qemuBuildPretendCommandLine(def, libDir, opts->fdBase,
                                            opts->fdBase + 1)))
        return -1;
    str = pfsCmdlineToString(cmd, !opts->oneLine);
    printf("%s\n", str);
    return 0;
}


static int
pfsToolLoadConfig(const pfsToolOptions *opts, qemuDriverConfig **cfg)
{
    g_autoptr(qemuDriverConfig) tmp = qemuDriverConfigNew();

    if (qemuDriverConfigLoad(tmp, opts->config) < 0)
        return -1;
    *cfg = g_steal_pointer(&tmp);
    return 0;
}


static int
pfsToolStart(const char *path, const pfsToolOptions *opts)
{
    g_autoptr(qemuDriverConfig) cfg = NULL;
    pfsDomainDef *def;

    if (geteuid() != 0) {
        pfsReportError("%s", _("starting a domain needs root: each proxy helper starts as root and confines itself, and QEMU is started as an unprivileged user"));
        return -1;
    }
    if (pfsToolLoadConfig(opts, &cfg) < 0 ||
        !(def = pfsToolLoadDomain(path, opts->schema)))
        return -1;
    return qemuSupervisorRun(cfg, def, opts->daemon);
}


static int
pfsToolStop(const char *name, const pfsToolOptions *opts)
{
    g_autoptr(qemuDriverConfig) cfg = NULL;
    g_autofree char *stopped = NULL;
    int r;

    if (pfsToolLoadConfig(opts, &cfg) < 0 ||
        (r = qemuSupervisorStop(cfg, name, &stopped)) < 0)
        return -1;
    switch ((qemuSupervisorStopResult)r) {
    case QEMU_SUPERVISOR_STOPPED:
        printf(_("Domain '%s' stopped\n"), name);
        break;
    case QEMU_SUPERVISOR_STOPPED_ORPHANS:
        printf(_("Domain '%s' stopped: its supervisor had ended abruptly; stopped %s\n"),
               name, stopped);
        break;
    case QEMU_SUPERVISOR_STOPPED_STATE:
        printf(_("Domain '%s' was not running; removed the state left by a run that ended abruptly\n"),
               name);
        break;
    case QEMU_SUPERVISOR_STOPPED_LAST:
    default:
        break;
    }
    return 0;
}


static int
pfsToolList(const pfsToolOptions *opts)
{
    g_autoptr(qemuDriverConfig) cfg = NULL;
    g_autoptr(GPtrArray) doms = NULL;
    guint i;

    if (pfsToolLoadConfig(opts, &cfg) < 0)
        return -1;
    doms = qemuSupervisorList(cfg);
    printf(" %-24s %-10s %s\n", _("Name"), _("State"), _("Supervisor"));
    for (i = 0; i < doms->len; i++) {
        const qemuSupervisorDomain *dom = doms->pdata[i];
        g_autofree char *pid = NULL;
        const char *state = "";

        switch (dom->state) {
        case QEMU_SUPERVISOR_DOMAIN_RUNNING:
            state = _("running");
            pid = g_strdup_printf("%d", (int)dom->pid);
            break;
        case QEMU_SUPERVISOR_DOMAIN_ORPHANED:
            state = _("orphaned");
            break;
        case QEMU_SUPERVISOR_DOMAIN_UNKNOWN:
            state = _("unknown");
            break;
        case QEMU_SUPERVISOR_DOMAIN_LAST:
        default:
            break;
        }
        printf(" %-24s %-10s %s\n", dom->name, state, pid ? pid : "-");
    }
    return 0;
}


/* ---- a stock libvirtd (libvirt's public API only) ---- */

G_DEFINE_AUTOPTR_CLEANUP_FUNC(virConnect, virConnectClose);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomain, virDomainFree);


/* Report libvirt's own error text. */
static void
pfsToolLibvirtError(const char *what)
{
    pfsReportError("%s: %s", what, virGetLastErrorMessage());
}


static virConnectPtr
pfsToolConnect(const pfsToolOptions *opts)
{
    virConnectPtr conn = virConnectOpen(opts->connect);

    if (!conn)
        pfsToolLibvirtError(_("cannot connect to libvirt"));
    return conn;
}


/* Whether libvirtd runs on this host: its URI names no host. */
static bool
pfsToolConnectionIsLocal(virConnectPtr conn)
{
    g_autofree char *uri = virConnectGetURI(conn);
    g_autoptr(GUri) parsed = NULL;
    const char *host;

    if (!uri || !(parsed = g_uri_parse(uri, G_URI_FLAGS_NONE, NULL)))
        return false;
    host = g_uri_get_host(parsed);
    return !host || !*host || strcmp(host, "localhost") == 0;
}


/* Convert @xml for libvirt and define it. */
static int
pfsToolDefineXML(virConnectPtr conn, const char *xml, const char *origin)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(virDomain) dom = NULL;
    g_autofree char *converted = NULL;
    int n;

    if (!(doc = pfsXMLParse(NULL, xml, "domain", NULL)) ||
        (n = pfsLibvirtConvert(doc, PFS_LIBVIRT_RUN_DIR)) < 0)
        return -1;
    /* the hook starts the helpers on libvirt's host: check there only */
    if (pfsToolConnectionIsLocal(conn)) {
        g_autoptr(xmlXPathContext) ctxt = pfsLibvirtContext(doc);
        g_autoptr(GPtrArray) shares = ctxt ? pfsLibvirtSharesParse(ctxt, NULL, NULL) : NULL;
        guint i;

        for (i = 0; shares && i < shares->len; i++) {
            const pfsLibvirtShare *share = g_ptr_array_index(shares, i);

            pfsToolWarnSource(share->target, share->source);
        }
    }
    converted = pfsLibvirtFormat(doc);
    if (!(dom = virDomainDefineXML(conn, converted))) {
        pfsToolLibvirtError(_("libvirt refused the domain"));
        return -1;
    }
    printf(_("Domain '%s' defined from %s, with %d proxy share(s)\n"),
           virDomainGetName(dom), origin, n);
    return 0;
}


static int
pfsToolDefine(const char *path, const pfsToolOptions *opts)
{
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *xml = NULL;

    if (!g_file_get_contents(path, &xml, NULL, &err)) {
        pfsReportError("%s", err->message);
        return -1;
    }
    if (!(conn = pfsToolConnect(opts)))
        return -1;
    return pfsToolDefineXML(conn, xml, path);
}


/* The domain as the user wrote it: proxy shares back in <devices>. */
static char *
pfsToolGetXML(virConnectPtr conn, const char *name)
{
    g_autoptr(virDomain) dom = virDomainLookupByName(conn, name);
    g_autoptr(xmlDoc) doc = NULL;
    char *xml;

    if (!dom) {
        pfsToolLibvirtError(_("cannot find the domain"));
        return NULL;
    }
    if (!(xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE))) {
        pfsToolLibvirtError(_("cannot read the domain's XML"));
        return NULL;
    }
    doc = pfsXMLParse(NULL, xml, "domain", NULL);
    free(xml);
    if (!doc || pfsLibvirtRestore(doc) < 0)
        return NULL;
    return pfsLibvirtFormat(doc);
}


static int
pfsToolDumpxml(const char *name, const pfsToolOptions *opts)
{
    g_autoptr(virConnect) conn = NULL;
    g_autofree char *xml = NULL;

    if (!(conn = pfsToolConnect(opts)) || !(xml = pfsToolGetXML(conn, name)))
        return -1;
    printf("%s", xml);
    return 0;
}


static int
pfsToolEdit(const char *name, const pfsToolOptions *opts)
{
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *edited = NULL;
    g_autofree char *tmp = NULL;
    g_autofree char *cmd = NULL;
    g_autofree char *quoted = NULL;
    const char *editor = g_getenv("VISUAL");
    int fd;
    int status;
    int ret = -1;

    if (!editor || !*editor)
        editor = g_getenv("EDITOR");
    if (!editor || !*editor)
        editor = "vi";
    if (!(conn = pfsToolConnect(opts)) || !(xml = pfsToolGetXML(conn, name)))
        return -1;
    if ((fd = g_file_open_tmp("virt-proxyfs-XXXXXX.xml", &tmp, &err)) < 0) {
        pfsReportError("%s", err->message);
        return -1;
    }
    close(fd);
    if (!g_file_set_contents(tmp, xml, -1, &err)) {
        pfsReportError("%s", err->message);
        goto cleanup;
    }
    /* like virsh edit: the editor command may hold arguments */
    quoted = g_shell_quote(tmp);
    cmd = g_strdup_printf("%s %s", editor, quoted);
    status = system(cmd);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        pfsReportError(_("the editor '%s' failed; the domain is unchanged"), editor);
        goto cleanup;
    }
    if (!g_file_get_contents(tmp, &edited, NULL, &err)) {
        pfsReportError("%s", err->message);
        goto cleanup;
    }
    if (strcmp(edited, xml) == 0) {
        printf(_("Domain '%s' XML configuration not changed.\n"), name);
        ret = 0;
        goto cleanup;
    }
    ret = pfsToolDefineXML(conn, edited, tmp);

 cleanup:
    unlink(tmp);
    return ret;
}


static int
pfsToolUndefine(const char *name, const pfsToolOptions *opts)
{
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(virDomain) dom = NULL;

    if (!(conn = pfsToolConnect(opts)))
        return -1;
    if (!(dom = virDomainLookupByName(conn, name))) {
        pfsToolLibvirtError(_("cannot find the domain"));
        return -1;
    }
    if (virDomainUndefine(dom) < 0) {
        pfsToolLibvirtError(_("libvirt refused to undefine the domain"));
        return -1;
    }
    printf(_("Domain '%s' has been undefined\n"), name);
    return 0;
}


int
main(int argc, char **argv)
{
    pfsToolOptions opts = { NULL, 3, NULL, FALSE, NULL, FALSE, NULL };
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
        { "connect", 'c', 0, G_OPTION_ARG_STRING, &opts.connect,
          N_("libvirt URI for define, dumpxml, edit and undefine (default: libvirt's default)"),
          N_("URI") },
        { "config", 0, 0, G_OPTION_ARG_FILENAME, &opts.config,
          N_("the driver's configuration file (default: /etc/virt-proxyfs/qemu.conf)"),
          N_("FILE") },
        { "daemon", 'd', 0, G_OPTION_ARG_NONE, &opts.daemon,
          N_("'start': return once the domain runs, and supervise it in the background"),
          NULL },
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

    ctx = g_option_context_new(_("COMMAND [FILE|NAME]"));
    g_option_context_set_translation_domain(ctx, GETTEXT_PACKAGE);
    g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
    g_option_context_set_summary(ctx,
        _("Commands:\n"
          "  validate FILE          check a domain XML file against the schema\n"
          "                         and the rules of the QEMU driver\n"
          "  domxml-to-native FILE  print the QEMU command line of a domain\n"
          "  start FILE             run a domain; Ctrl-C or SIGTERM shuts it down\n"
          "  stop NAME              shut a running domain down\n"
          "  list                   list the running domains\n"
          "  define FILE            define a domain in a stock libvirtd, proxy shares\n"
          "                         kept in its metadata (they need the libvirt hook)\n"
          "  dumpxml NAME           the domain as written, proxy shares included\n"
          "  edit NAME              edit it with $EDITOR, like 'virsh edit'\n"
          "  undefine NAME          undefine it"));
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        fprintf(stderr, _("error: %s\n"), err->message);
        return EXIT_FAILURE;
    }
    if (version) {
        printf("%s %s\n", PACKAGE, PACKAGE_VERSION);
        return EXIT_SUCCESS;
    }
    if (argc < 2 || argc != (strcmp(argv[1], "list") == 0 ? 2 : 3)) {
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
    } else if (strcmp(verb, "start") == 0) {
        rc = pfsToolStart(argv[2], &opts);
    } else if (strcmp(verb, "stop") == 0) {
        rc = pfsToolStop(argv[2], &opts);
    } else if (strcmp(verb, "list") == 0) {
        rc = pfsToolList(&opts);
    } else if (strcmp(verb, "define") == 0) {
        rc = pfsToolDefine(argv[2], &opts);
    } else if (strcmp(verb, "dumpxml") == 0) {
        rc = pfsToolDumpxml(argv[2], &opts);
    } else if (strcmp(verb, "edit") == 0) {
        rc = pfsToolEdit(argv[2], &opts);
    } else if (strcmp(verb, "undefine") == 0) {
        rc = pfsToolUndefine(argv[2], &opts);
    } else {
        fprintf(stderr, _("error: unknown command '%s'\n"), verb);
        return EXIT_FAILURE;
    }

    g_free(opts.schema);
    g_free(opts.libDir);
    g_free(opts.config);
    g_free(opts.connect);
    if (rc < 0) {
        pfsToolPrintError();
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}
