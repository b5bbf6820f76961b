/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * virt-proxyfs-libvirt.c: proxy shares in a stock libvirtd's domain XML
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
#include "qemu_domain.h"
#include "virt-proxyfs-libvirt.h"

/* our IDs on QEMU's command line, so that restoring finds them */
#define PFS_LIBVIRT_FSDEV_PREFIX "pfs-"
#define PFS_LIBVIRT_DEVICE_PREFIX "pfs-dev-"
/* the comment in the metadata; %s is the domain's name */
#define PFS_LIBVIRT_HINT \
    " Proxy shares of virt-proxyfs. Change them with 'virt-proxyfs edit %s'," \
    " not here: they and the qemu:commandline arguments must stay in step. "


G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlBuffer, xmlBufferFree);


static xmlXPathContext *
pfsLibvirtContext(xmlDoc *doc)
{
    xmlXPathContext *ctxt = xmlXPathNewContext(doc);

    if (!ctxt) {
        pfsReportError("%s", _("out of memory"));
        return NULL;
    }
    ctxt->node = xmlDocGetRootElement(doc);
    xmlXPathRegisterNs(ctxt, BAD_CAST "pfs", BAD_CAST PFS_LIBVIRT_NS);
    xmlXPathRegisterNs(ctxt, BAD_CAST "qemu", BAD_CAST PFS_LIBVIRT_QEMU_NS);
    return ctxt;
}


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
    int i;

    g_string_append(xml, "<domain type='qemu'><name>");
    g_string_append(xml, name);
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


/* -fsdev and -device of one share, as libvirt 9.0 would write them for a
 * 9p share, but with our IDs and QEMU's socket= option. */
static void
pfsLibvirtAddShareArgs(xmlNode *cmdline, xmlNs *ns, const pfsDomainFSDef *fs,
                       bool userAddress, const char *socket)
{
    g_autoptr(GString) fsdev = g_string_new(NULL);
    g_autoptr(GString) device = g_string_new(NULL);
    g_autofree char *tag = g_strescape(fs->dst, NULL);

    g_string_append_printf(fsdev, "proxy,id=" PFS_LIBVIRT_FSDEV_PREFIX "%s,socket=",
                           fs->info.alias);
    /* QEMU's option parser takes ",," for a comma in a value */
    for (const char *p = socket; *p; p++) {
        if (*p == ',')
            g_string_append_c(fsdev, ',');
        g_string_append_c(fsdev, *p);
    }
    if (fs->wrpolicy == PFS_DOMAIN_FS_WRPOLICY_IMMEDIATE)
        g_string_append(fsdev, ",writeout=immediate");
    if (fs->readonly)
        g_string_append(fsdev, ",readonly=on");

    g_string_append_printf(device,
                           "{\"driver\":\"virtio-9p-pci\",\"id\":\"" PFS_LIBVIRT_DEVICE_PREFIX
                           "%s\",\"fsdev\":\"" PFS_LIBVIRT_FSDEV_PREFIX "%s\","
                           "\"mount_tag\":\"%s\"",
                           fs->info.alias, fs->info.alias, tag);
    /* only an address the user wrote: the model numbered the others in
     * a domain of its own, and libvirt places its devices around ours */
    if (userAddress && fs->info.type == PFS_DOMAIN_DEVICE_ADDRESS_TYPE_PCI)
        g_string_append_printf(device, ",\"bus\":\"pci.%u\",\"addr\":\"0x%x\"",
                               fs->info.addr.pci.bus, fs->info.addr.pci.slot);
    g_string_append_c(device, '}');

    pfsLibvirtAddArg(cmdline, ns, "-fsdev");
    pfsLibvirtAddArg(cmdline, ns, fsdev->str);
    pfsLibvirtAddArg(cmdline, ns, "-device");
    pfsLibvirtAddArg(cmdline, ns, device->str);
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
    proxyfs = xmlNewChild(metadata, NULL, BAD_CAST "proxyfs", NULL);
    pfsNs = xmlNewNs(proxyfs, BAD_CAST PFS_LIBVIRT_NS, BAD_CAST "pfs");
    xmlSetNs(proxyfs, pfsNs);
    /* for whoever opens this with 'virsh edit': libvirt keeps comments
     * inside a namespaced metadata element (not directly in <metadata>).
     * XML, like the rest of the document, so not translated. */
    {
        g_autofree char *hint = g_strdup_printf(PFS_LIBVIRT_HINT, name);

        xmlAddChild(proxyfs, xmlNewDocComment(doc, BAD_CAST hint));
    }

    /* libvirt wants the qemu namespace declared on <domain> */
    if (!(qemuNs = xmlSearchNsByHref(doc, root, BAD_CAST PFS_LIBVIRT_QEMU_NS)))
        qemuNs = xmlNewNs(root, BAD_CAST PFS_LIBVIRT_QEMU_NS, BAD_CAST "qemu");
    cmdline = pfsLibvirtEnsureChild(root, qemuNs, "commandline",
                                    pfsXPathNode("/domain/qemu:commandline", ctxt));

    for (i = 0; i < n; i++) {
        const pfsDomainFSDef *fs = shares->fss[i];
        g_autofree char *text = pfsLibvirtNodeText(doc, nodes[i]);
        g_autofree char *socket = g_strdup_printf("%s/%s/%s.sock", socketBase,
                                                  name, fs->info.alias);
        xmlNode *share = xmlNewTextChild(proxyfs, pfsNs, BAD_CAST "share", BAD_CAST text);

        xmlNewProp(share, BAD_CAST "alias", BAD_CAST fs->info.alias);
        xmlNewProp(share, BAD_CAST "source", BAD_CAST fs->src);
        xmlNewProp(share, BAD_CAST "target", BAD_CAST fs->dst);
        xmlNewProp(share, BAD_CAST "readonly", BAD_CAST (fs->readonly ? "yes" : "no"));
        xmlNewProp(share, BAD_CAST "socket", BAD_CAST socket);
        pfsLibvirtAddShareArgs(cmdline, qemuNs, fs,
                               pfsLibvirtHasChild(nodes[i], "address"), socket);

        xmlUnlinkNode(nodes[i]);
        xmlFreeNode(nodes[i]);
    }
    return n;
}


GPtrArray *
pfsLibvirtShares(xmlDoc *doc)
{
    g_autoptr(GPtrArray) ret = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(xmlXPathContext) ctxt = pfsLibvirtContext(doc);
    g_autofree xmlNode **shares = NULL;
    int n;
    int i;

    if (!ctxt ||
        (n = pfsXPathNodeSet("/domain/metadata/pfs:proxyfs/pfs:share", ctxt, &shares)) < 0)
        return g_steal_pointer(&ret);
    for (i = 0; i < n; i++) {
        g_ptr_array_add(ret, pfsXMLPropString(shares[i], "target"));
        g_ptr_array_add(ret, pfsXMLPropString(shares[i], "source"));
    }
    return g_steal_pointer(&ret);
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
    g_autofree xmlNode **shares = NULL;
    xmlNode *devices;
    xmlNode *proxyfs;
    xmlNode *cmdline;
    int n;
    int i;

    if (!ctxt)
        return -1;
    if ((n = pfsXPathNodeSet("/domain/metadata/pfs:proxyfs/pfs:share", ctxt, &shares)) < 0)
        return -1;
    devices = pfsXPathNode("/domain/devices", ctxt);
    if (n > 0 && !devices)
        devices = xmlNewChild(xmlDocGetRootElement(doc), NULL, BAD_CAST "devices", NULL);

    for (i = 0; i < n; i++) {
        g_autofree char *text = pfsXMLNodeContent(shares[i]);
        g_autoptr(xmlDoc) fsdoc = NULL;
        xmlNode *fs;

        if (!text || !(fsdoc = pfsXMLParse(NULL, text, "filesystem", NULL))) {
            pfsReportError(_("the metadata of proxy share %d cannot be read back"), i);
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
