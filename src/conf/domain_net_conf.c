/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain_net_conf.c: <interface type='user'> parsing and formatting
 */
#include "pfsinternal.h"

#include "pfserrorcode.h"
#include "domain_conf_priv.h"

pfsDomainNetDef *
pfsDomainNetDefParseXML(xmlNode *node)
{
    static const char *const attrs[] = { "type", NULL };
    static const char *const children[] = {
        "mac", "model", "alias", "address", "boot", NULL
    };
    static const char *const macAttrs[] = { "address", NULL };
    static const char *const modelAttrs[] = { "type", NULL };
    g_autoptr(pfsDomainNetDef) def = g_new0(pfsDomainNetDef, 1);
    g_autofree char *type = NULL;
    xmlNode *child;
    int val;

    /* checked by hand so that other interface types get a clear reason */
    type = pfsXMLPropString(node, "type");
    if (g_strcmp0(type, "user") != 0) {
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                           _("interface type '%s' is not supported, only 'user'"),
                           PFS_NULLSTR(type));
        return NULL;
    }
    def->type = PFS_DOMAIN_NET_TYPE_USER;

    if (pfsXMLCheckElement(node, attrs, children) < 0 ||
        pfsXMLCheckUniqueChildren(node) < 0)
        return NULL;

    if ((child = pfsXMLChild(node, "mac"))) {
        g_autofree char *mac = NULL;

        if (pfsXMLCheckElement(child, macAttrs, NULL) < 0)
            return NULL;
        if (!(mac = pfsXMLPropString(child, "address"))) {
            pfsReportErrorCode(PFS_ERR_XML_ERROR,
                               _("Missing required attribute '%s' in element '%s'"),
                               "address", "mac");
            return NULL;
        }
        if (pfsMacAddrParse(mac, def->mac) < 0) {
            pfsReportErrorCode(PFS_ERR_XML_ERROR,
                               _("unable to parse mac address '%s'"), mac);
            return NULL;
        }
        if (def->mac[0] & 1) {
            pfsReportErrorCode(PFS_ERR_XML_ERROR,
                               _("expected unicast mac address, found multicast '%s'"),
                               mac);
            return NULL;
        }
    }

    if ((child = pfsXMLChild(node, "model"))) {
        if (pfsXMLCheckElement(child, modelAttrs, NULL) < 0)
            return NULL;
        val = PFS_DOMAIN_NET_MODEL_DEFAULT;
        if (pfsXMLPropEnum(child, "type", pfsDomainNetModelTypeFromString,
                           PFS_XML_PROP_REQUIRED | PFS_XML_PROP_NONZERO, &val) < 0)
            return NULL;
        def->model = val;
    }

    if (pfsDomainDeviceInfoParseXML(node,
                                    PFS_DOMAIN_INFO_ALLOW_BOOT |
                                    PFS_DOMAIN_INFO_ALLOW_PCI,
                                    &def->info) < 0)
        return NULL;
    return g_steal_pointer(&def);
}


void
pfsDomainNetDefFormat(pfsBuffer *buf, const pfsDomainNetDef *def)
{
    char mac[PFS_MAC_STRING_BUFLEN];

    pfsMacAddrFormat(def->mac, mac);
    pfsBufferAsprintf(buf, "<interface type='%s'>\n",
                      pfsDomainNetTypeToString(def->type));
    pfsBufferAdjustIndent(buf, 2);
    pfsBufferAsprintf(buf, "<mac address='%s'/>\n", mac);
    if (def->model)
        pfsBufferAsprintf(buf, "<model type='%s'/>\n",
                          pfsDomainNetModelTypeToString(def->model));
    pfsDomainDeviceInfoFormat(buf, &def->info);
    pfsBufferAdjustIndent(buf, -2);
    pfsBufferAdd(buf, "</interface>\n");
}


pfsDomainMemballoonDef *
pfsDomainMemballoonDefParseXML(xmlNode *node)
{
    static const char *const attrs[] = { "model", NULL };
    static const char *const children[] = { "alias", "address", NULL };
    pfsDomainMemballoonDef *def = g_new0(pfsDomainMemballoonDef, 1);
    int val = PFS_DOMAIN_MEMBALLOON_MODEL_VIRTIO;

    if (pfsXMLCheckElement(node, attrs, children) < 0 ||
        pfsXMLPropEnum(node, "model", pfsDomainMemballoonModelTypeFromString,
                       PFS_XML_PROP_REQUIRED, &val) < 0)
        goto error;
    def->model = val;

    if (pfsDomainDeviceInfoParseXML(node,
                                    def->model == PFS_DOMAIN_MEMBALLOON_MODEL_VIRTIO ?
                                    PFS_DOMAIN_INFO_ALLOW_PCI : 0,
                                    &def->info) < 0)
        goto error;
    if (def->model == PFS_DOMAIN_MEMBALLOON_MODEL_NONE && def->info.alias) {
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                           _("element '%s' in '%s' is not supported"),
                           "alias", "memballoon");
        goto error;
    }
    return def;

 error:
    pfsDomainMemballoonDefFree(def);
    return NULL;
}


void
pfsDomainMemballoonDefFormat(pfsBuffer *buf, const pfsDomainMemballoonDef *def)
{
    pfsBufferAsprintf(buf, "<memballoon model='%s'",
                      pfsDomainMemballoonModelTypeToString(def->model));
    pfsDomainDeviceInfoFormatEnd(buf, "memballoon", &def->info);
}
