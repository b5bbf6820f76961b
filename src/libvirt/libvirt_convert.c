/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvirt_convert.c: proxy shares in a stock libvirtd's domain XML
 *
 * The conversion works on the document with libxml2 rather than through
 * the project's domain model: libvirt knows many elements the model does
 * not, and they must pass through untouched. Only the proxy filesystems
 * are parsed and checked by the model.
 */
#include "pfsinternal.h"

#include <string.h>
#include <libxml/xpathInternals.h>

#include "pfserror.h"
#include "pfsxml.h"
#include "domain_conf.h"
#include "qemu_command_fs.h"
#include "qemu_domain.h"
#include "libvirt_convert.h"


G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlBuffer, xmlBufferFree);


static char *
pfsLibvirtNodeText(xmlDoc *doc, xmlNode *node)
{
    g_autoptr(xmlBuffer) buf = xmlBufferCreate();

    xmlNodeDump(buf, doc, node, 0, 0);
    return g_strdup((const char *)xmlBufferContent(buf));
}


/* The proxy filesystems of @doc, parsed and checked by the model inside
 * a minimal domain of the same name. */
static pfsDomainDef *
pfsLibvirtCheckShares(xmlDoc *doc, xmlNode **nodes, int n, const char *name)
{
    g_autoptr(GString) xml = g_string_new(NULL);
    g_autoptr(xmlDoc) mini = NULL;
    g_autoptr(pfsDomainDef) def = NULL;
    g_autofree char *escaped = g_markup_escape_text(name, -1);
    int i;

    g_string_append(xml, "<domain type='qemu'><name>");
    g_string_append(xml, escaped);
    g_string_append(xml, "</name><memory unit='MiB'>64</memory>"
                    "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>");
    for (i = 0; i < n; i++) {
        g_autofree char *fs = pfsLibvirtNodeText(doc, nodes[i]);

        g_string_append(xml, fs);
    }
    g_string_append(xml, "</devices></domain>");

    if (!(mini = pfsXMLParse(NULL, xml->str, "domain", NULL)) ||
        !(def = pfsDomainDefParseDoc(mini)) ||
        qemuDomainPrepare(def) < 0)
        return NULL;
    return g_steal_pointer(&def);
}


static bool
pfsLibvirtHasChild(xmlNode *node, const char *name)
{
    for (node = node->children; node; node = node->next) {
        if (node->type == XML_ELEMENT_NODE && xmlStrEqual(node->name, BAD_CAST name))
            return true;
    }
    return false;
}


/* A mount tag names one share: libvirt checks its own shares, the model
 * checked ours; this checks ours against libvirt's. */
static int
pfsLibvirtCheckTargets(xmlXPathContext *ctxt, const pfsDomainDef *shares)
{
    g_autofree xmlNode **others = NULL;
    int n;
    int i;
    size_t j;

    if ((n = pfsXPathNodeSet("/domain/devices/filesystem[not(driver/@type='proxy')]/target",
                             ctxt, &others)) < 0)
        return -1;
    for (i = 0; i < n; i++) {
        g_autofree char *dir = pfsXMLPropString(others[i], "dir");

        for (j = 0; dir && j < shares->nfss; j++) {
            if (strcmp(dir, shares->fss[j]->dst) == 0) {
                pfsReportError(_("filesystem target '%s' specified twice"), dir);
                return -1;
            }
        }
    }
    return 0;
}


static xmlNode *
pfsLibvirtEnsureChild(xmlNode *parent, xmlNs *ns, const char *name, xmlNode *existing)
{
    if (existing)
        return existing;
    return xmlNewChild(parent, ns, BAD_CAST name, NULL);
}


static void
pfsLibvirtAddArg(xmlNode *cmdline, xmlNs *ns, const char *value)
{
    xmlNode *arg = xmlNewChild(cmdline, ns, BAD_CAST "arg", NULL);

    xmlNewProp(arg, BAD_CAST "value", BAD_CAST value);
}


/* -fsdev and -device of one share, from the QEMU driver's builder, with
 * our IDs and QEMU's socket= option. Only an address the user wrote is
 * kept: the model numbered the others in a domain of its own, and
 * libvirt places its devices around ours. */
static void
pfsLibvirtAddShareArgs(xmlNode *cmdline, xmlNs *ns, const pfsDomainFSDef *fs,
                       bool userAddress, const char *socket)
{
    g_autofree char *fsdevID = g_strdup_printf(PFS_LIBVIRT_FSDEV_PREFIX "%s",
                                               fs->info.alias);
    g_autofree char *deviceID = g_strdup_printf(PFS_LIBVIRT_DEVICE_PREFIX "%s",
                                                fs->info.alias);
    qemuFSProxyParams proxy = { .fsdevID = fsdevID, .fd = -1, .socketPath = socket };
    g_autofree char *fsdev = qemuBuildFSProxyStr(fs, &proxy);
    g_autofree char *device = qemuBuildFSDevStr(fs, deviceID, fsdevID, userAddress);

    pfsLibvirtAddArg(cmdline, ns, "-fsdev");
    pfsLibvirtAddArg(cmdline, ns, fsdev);
    pfsLibvirtAddArg(cmdline, ns, "-device");
    pfsLibvirtAddArg(cmdline, ns, device);
}


int
pfsLibvirtConvert(xmlDoc *doc, const char *socketBase)
{
    g_autoptr(xmlXPathContext) ctxt = NULL;
    g_autoptr(pfsDomainDef) shares = NULL;
    g_autofree xmlNode **nodes = NULL;
    g_autofree char *name = NULL;
    xmlNode *root = xmlDocGetRootElement(doc);
    xmlNode *metadata;
    xmlNode *proxyfs;
    xmlNode *cmdline;
    xmlNs *pfsNs;
    xmlNs *qemuNs;
    int n;
    int i;

    if (pfsLibvirtRestore(doc) < 0 || !(ctxt = pfsLibvirtContext(doc)))
        return -1;
    if (!(name = pfsXPathString("string(/domain/name)", ctxt)) || !*name) {
        pfsReportError("%s", _("the domain has no <name>"));
        return -1;
    }
    if ((n = pfsXPathNodeSet("/domain/devices/filesystem[driver/@type='proxy']",
                             ctxt, &nodes)) < 0)
        return -1;
    if (n == 0)
        return 0;
    if (!(shares = pfsLibvirtCheckShares(doc, nodes, n, name)) ||
        pfsLibvirtCheckTargets(ctxt, shares) < 0)
        return -1;

    metadata = pfsLibvirtEnsureChild(root, NULL, "metadata",
                                     pfsXPathNode("/domain/metadata", ctxt));
    proxyfs = pfsLibvirtSharesNew(doc, metadata, name, &pfsNs);

    /* libvirt wants the qemu namespace declared on <domain> */
    if (!(qemuNs = xmlSearchNsByHref(doc, root, BAD_CAST PFS_LIBVIRT_QEMU_NS)))
        qemuNs = xmlNewNs(root, BAD_CAST PFS_LIBVIRT_QEMU_NS, BAD_CAST "qemu");
    cmdline = pfsLibvirtEnsureChild(root, qemuNs, "commandline",
                                    pfsXPathNode("/domain/qemu:commandline", ctxt));

    for (i = 0; i < n; i++) {
        const pfsDomainFSDef *fs = shares->fss[i];
        g_autofree char *text = pfsLibvirtNodeText(doc, nodes[i]);
        g_autofree char *socket = pfsLibvirtShareSocket(socketBase, name,
                                                        fs->info.alias);

        pfsLibvirtShareFormat(proxyfs, pfsNs, fs, text, socket);
        pfsLibvirtAddShareArgs(cmdline, qemuNs, fs,
                               pfsLibvirtHasChild(nodes[i], "address"), socket);

        xmlUnlinkNode(nodes[i]);
        xmlFreeNode(nodes[i]);
    }
    return n;
}


/* Whether @arg and @next are a pair of arguments we generated. */
static bool
pfsLibvirtIsOurArgPair(xmlNode *arg, xmlNode *next)
{
    g_autofree char *opt = pfsXMLPropString(arg, "value");
    g_autofree char *value = next ? pfsXMLPropString(next, "value") : NULL;

    if (!opt || !value)
        return false;
    if (strcmp(opt, "-fsdev") == 0)
        return g_str_has_prefix(value, "proxy,id=" PFS_LIBVIRT_FSDEV_PREFIX);
    if (strcmp(opt, "-device") == 0)
        return strstr(value, "\"id\":\"" PFS_LIBVIRT_DEVICE_PREFIX) != NULL;
    return false;
}


/* @node itself or the first element after it */
static xmlNode *
pfsLibvirtElementFrom(xmlNode *node)
{
    for (; node; node = node->next) {
        if (node->type == XML_ELEMENT_NODE)
            return node;
    }
    return NULL;
}


static xmlNode *
pfsLibvirtNextElement(xmlNode *node)
{
    return node ? pfsLibvirtElementFrom(node->next) : NULL;
}


static bool
pfsLibvirtHasElementChildren(xmlNode *node)
{
    for (node = node->children; node; node = node->next) {
        if (node->type == XML_ELEMENT_NODE)
            return true;
    }
    return false;
}


/* The qemu namespace declared on <domain> for <qemu:commandline>, once
 * nothing uses it. */
static void
pfsLibvirtDropQemuNs(xmlDoc *doc, xmlXPathContext *ctxt)
{
    xmlNode *root = xmlDocGetRootElement(doc);
    xmlNs **link;

    if (pfsXPathNode("//qemu:*", ctxt))
        return;
    for (link = &root->nsDef; *link; link = &(*link)->next) {
        xmlNs *ns = *link;

        if (ns->href && xmlStrEqual(ns->href, BAD_CAST PFS_LIBVIRT_QEMU_NS)) {
            *link = ns->next;
            ns->next = NULL;
            xmlFreeNs(ns);
            return;
        }
    }
}


int
pfsLibvirtRestore(xmlDoc *doc)
{
    g_autoptr(xmlXPathContext) ctxt = pfsLibvirtContext(doc);
    g_autoptr(GPtrArray) shares = NULL;
    xmlNode *devices;
    xmlNode *proxyfs;
    xmlNode *cmdline;
    size_t i;

    if (!ctxt || !(shares = pfsLibvirtSharesParse(ctxt, NULL, NULL)))
        return -1;
    devices = pfsXPathNode("/domain/devices", ctxt);
    if (shares->len > 0 && !devices)
        devices = xmlNewChild(xmlDocGetRootElement(doc), NULL, BAD_CAST "devices", NULL);

    for (i = 0; i < shares->len; i++) {
        const pfsLibvirtShare *share = g_ptr_array_index(shares, i);
        g_autoptr(xmlDoc) fsdoc = NULL;
        xmlNode *fs;

        if (!share->xml || !(fsdoc = pfsXMLParse(NULL, share->xml, "filesystem", NULL))) {
            pfsReportError(_("the metadata of proxy share %d cannot be read back"), (int)i);
            return -1;
        }
        fs = xmlDocCopyNode(xmlDocGetRootElement(fsdoc), doc, 1);
        xmlAddChild(devices, fs);
    }

    if ((proxyfs = pfsXPathNode("/domain/metadata/pfs:proxyfs", ctxt))) {
        xmlNode *metadata = proxyfs->parent;

        xmlUnlinkNode(proxyfs);
        xmlFreeNode(proxyfs);
        if (!pfsLibvirtHasElementChildren(metadata)) {
            xmlUnlinkNode(metadata);
            xmlFreeNode(metadata);
        }
    }

    if ((cmdline = pfsXPathNode("/domain/qemu:commandline", ctxt))) {
        xmlNode *arg = pfsLibvirtElementFrom(cmdline->children);

        while (arg) {
            xmlNode *next = pfsLibvirtNextElement(arg);

            if (pfsLibvirtIsOurArgPair(arg, next)) {
                xmlNode *after = pfsLibvirtNextElement(next);

                xmlUnlinkNode(arg);
                xmlFreeNode(arg);
                xmlUnlinkNode(next);
                xmlFreeNode(next);
                arg = after;
            } else {
                arg = next;
            }
        }
        if (!pfsLibvirtHasElementChildren(cmdline)) {
            xmlUnlinkNode(cmdline);
            xmlFreeNode(cmdline);
            pfsLibvirtDropQemuNs(doc, ctxt);
        }
    }
    return 0;
}


/* Remove the whitespace-only text under @node: the layout of what libvirt
 * sent, which would keep libxml2 from indenting what was added or moved
 * (a blank line where a share left, "</filesystem></devices>" where one
 * came back). Whitespace is not significant in domain XML. */
static void
pfsLibvirtStripBlanks(xmlNode *node)
{
    xmlNode *child = node->children;

    while (child) {
        xmlNode *next = child->next;

        if (child->type == XML_TEXT_NODE && xmlIsBlankNode(child)) {
            xmlUnlinkNode(child);
            xmlFreeNode(child);
        } else if (child->type == XML_ELEMENT_NODE) {
            pfsLibvirtStripBlanks(child);
        }
        child = next;
    }
}


char *
pfsLibvirtFormat(xmlDoc *doc)
{
    xmlChar *mem = NULL;
    int len = 0;
    char *ret;

    /* as libvirt formats: two spaces a level, one element a line */
    if (xmlDocGetRootElement(doc))
        pfsLibvirtStripBlanks(xmlDocGetRootElement(doc));
    xmlDocDumpFormatMemory(doc, &mem, &len, 1);
    ret = g_strndup((const char *)mem, len);
    xmlFree(mem);
    return ret;
}
