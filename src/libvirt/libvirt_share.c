/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvirt_share.c: a proxy share as kept in a stock libvirtd's domain
 */
#include "pfsinternal.h"

#include <string.h>
#include <libxml/xpathInternals.h>

#include "pfserror.h"
#include "pfsxml.h"
#include "libvirt_share.h"

/* the comment in the metadata; %s is the domain's name */
#define PFS_LIBVIRT_HINT \
    " Proxy shares of virt-proxyfs. Change them with 'virt-proxyfs edit %s'," \
    " not here: they and the qemu:commandline arguments must stay in step. "


void
pfsLibvirtShareFree(pfsLibvirtShare *share)
{
    if (!share)
        return;
    g_free(share->alias);
    g_free(share->source);
    g_free(share->target);
    g_free(share->socket);
    g_free(share->xml);
    g_free(share);
}


xmlXPathContext *
pfsLibvirtContext(xmlDoc *doc)
{
    xmlXPathContext *ctxt = xmlXPathNewContext(doc);

    if (!ctxt ||
        xmlXPathRegisterNs(ctxt, BAD_CAST "pfs", BAD_CAST PFS_LIBVIRT_NS) < 0 ||
        xmlXPathRegisterNs(ctxt, BAD_CAST "qemu", BAD_CAST PFS_LIBVIRT_QEMU_NS) < 0) {
        xmlXPathFreeContext(ctxt);
        pfsReportError("%s", _("out of memory"));
        return NULL;
    }
    ctxt->node = xmlDocGetRootElement(doc);
    return ctxt;
}


char *
pfsLibvirtShareSocket(const char *runDir, const char *name, const char *alias)
{
    return g_strdup_printf("%s/%s/%s.sock", runDir, name, alias);
}


xmlNode *
pfsLibvirtSharesNew(xmlDoc *doc, xmlNode *metadata, const char *name, xmlNs **ns)
{
    xmlNode *proxyfs = xmlNewChild(metadata, NULL, BAD_CAST "proxyfs", NULL);
    g_autofree char *hint = g_strdup_printf(PFS_LIBVIRT_HINT, name);

    *ns = xmlNewNs(proxyfs, BAD_CAST PFS_LIBVIRT_NS, BAD_CAST "pfs");
    xmlSetNs(proxyfs, *ns);
    /* for whoever opens this with 'virsh edit': libvirt keeps comments
     * inside a namespaced metadata element (not directly in <metadata>).
     * XML, like the rest of the document, so not translated. */
    xmlAddChild(proxyfs, xmlNewDocComment(doc, BAD_CAST hint));
    return proxyfs;
}


void
pfsLibvirtShareFormat(xmlNode *proxyfs, xmlNs *ns, const pfsDomainFSDef *fs,
                      const char *xml, const char *socket)
{
    xmlNode *share = xmlNewTextChild(proxyfs, ns, BAD_CAST "share", BAD_CAST xml);

    xmlNewProp(share, BAD_CAST "alias", BAD_CAST fs->info.alias);
    xmlNewProp(share, BAD_CAST "source", BAD_CAST fs->src);
    xmlNewProp(share, BAD_CAST "target", BAD_CAST fs->dst);
    xmlNewProp(share, BAD_CAST "readonly", BAD_CAST (fs->readonly ? "yes" : "no"));
    xmlNewProp(share, BAD_CAST "socket", BAD_CAST socket);
}


/* An alias as libvirt allows them ([A-Za-z0-9_-]): it names files. */
static bool
pfsLibvirtAliasValid(const char *alias)
{
    const char *p;

    if (!*alias)
        return false;
    for (p = alias; *p; p++) {
        if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-')
            return false;
    }
    return true;
}


static int
pfsLibvirtShareCheck(const pfsLibvirtShare *share, const char *readonly,
                     const char *runDir, const char *name, GPtrArray *shares)
{
    g_autofree char *want = NULL;
    size_t i;

    if (!share->alias || !pfsLibvirtAliasValid(share->alias)) {
        pfsReportError(_("a proxy share in the metadata has no valid alias: run 'virt-proxyfs define' again"));
        return -1;
    }
    if (!share->target || !*share->target) {
        pfsReportError(_("proxy share '%s' has no target in the metadata"), share->alias);
        return -1;
    }
    if (!share->source || !g_path_is_absolute(share->source)) {
        pfsReportError(_("proxy share '%s' (target '%s') has no absolute source directory in the metadata"),
                       share->alias, share->target);
        return -1;
    }
    if (g_strcmp0(readonly, "yes") != 0 && g_strcmp0(readonly, "no") != 0) {
        pfsReportError(_("proxy share '%s' (target '%s'): readonly must be 'yes' or 'no'"),
                       share->alias, share->target);
        return -1;
    }
    /* The hook creates, chowns and later removes this directory as
     * root: only the place 'virt-proxyfs define' chose is accepted,
     * never one the XML could point anywhere. */
    want = pfsLibvirtShareSocket(runDir, name, share->alias);
    if (g_strcmp0(share->socket, want) != 0) {
        pfsReportError(_("proxy share '%s' (target '%s'): the socket must be '%s', not '%s'; run 'virt-proxyfs define' again"),
                       share->alias, share->target, want, PFS_NULLSTR(share->socket));
        return -1;
    }
    for (i = 0; i < shares->len; i++) {
        const pfsLibvirtShare *other = g_ptr_array_index(shares, i);

        if (strcmp(other->alias, share->alias) == 0) {
            pfsReportError(_("two proxy shares have the alias '%s'"), share->alias);
            return -1;
        }
    }
    return 0;
}


GPtrArray *
pfsLibvirtSharesParse(xmlXPathContext *ctxt, const char *runDir, const char *name)
{
    g_autoptr(GPtrArray) shares = g_ptr_array_new_with_free_func((GDestroyNotify)pfsLibvirtShareFree);
    g_autofree xmlNode **nodes = NULL;
    int n;
    int i;

    if ((n = pfsXPathNodeSet("/domain/metadata/pfs:proxyfs/pfs:share", ctxt, &nodes)) < 0)
        return NULL;
    for (i = 0; i < n; i++) {
        g_autoptr(pfsLibvirtShare) share = g_new0(pfsLibvirtShare, 1);
        g_autofree char *readonly = pfsXMLPropString(nodes[i], "readonly");

        share->alias = pfsXMLPropString(nodes[i], "alias");
        share->source = pfsXMLPropString(nodes[i], "source");
        share->target = pfsXMLPropString(nodes[i], "target");
        share->socket = pfsXMLPropString(nodes[i], "socket");
        share->readonly = g_strcmp0(readonly, "yes") == 0;
        share->xml = pfsXMLNodeContent(nodes[i]);

        if (runDir &&
            pfsLibvirtShareCheck(share, readonly, runDir, name, shares) < 0)
            return NULL;
        g_ptr_array_add(shares, g_steal_pointer(&share));
    }
    return g_steal_pointer(&shares);
}
