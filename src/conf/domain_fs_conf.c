/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain_fs_conf.c: <filesystem> parsing and formatting
 *
 * The element follows libvirt 9.0's model, plus <driver type='proxy'/>.
 */
#include "pfsinternal.h"

#include <stdlib.h>
#include <string.h>

#include "pfserrorcode.h"
#include "domain_conf_priv.h"

/* The <source> attribute that names the host side, by filesystem type. */
static const char *
pfsDomainFSSourceAttr(pfsDomainFSType type)
{
    switch (type) {
    case PFS_DOMAIN_FS_TYPE_MOUNT:
    case PFS_DOMAIN_FS_TYPE_BIND:
        return "dir";
    case PFS_DOMAIN_FS_TYPE_BLOCK:
        return "dev";
    case PFS_DOMAIN_FS_TYPE_FILE:
        return "file";
    case PFS_DOMAIN_FS_TYPE_TEMPLATE:
        return "name";
    case PFS_DOMAIN_FS_TYPE_RAM:
        return "usage";
    case PFS_DOMAIN_FS_TYPE_VOLUME:
        return "volume";
    case PFS_DOMAIN_FS_TYPE_LAST:
        break;
    }
    return "dir";
}


static int
pfsDomainFSModeParseXML(xmlNode *node, const char *name, unsigned int *mode)
{
    if (pfsXMLPropUInt(node, name, 8, 0, mode) < 0)
        return -1;
    if (*mode > 0777) {
        /* TRANSLATORS: the first %s is fmode or dmode */
        pfsReportErrorCode(PFS_ERR_XML_ERROR, _("invalid %s: '0%o'"), name, *mode);
        return -1;
    }
    return 0;
}


static int
pfsDomainFSDriverParseXML(xmlNode *driver, pfsDomainFSDef *def)
{
    static const char *const attrs[] = {
        "type", "wrpolicy", "format", "queue",
        "iommu", "ats", "packed", "page_per_vq", NULL
    };
    g_autofree char *format = NULL;
    g_autofree char *queue = NULL;
    int val;

    if (pfsXMLCheckElement(driver, attrs, NULL) < 0)
        return -1;

    val = PFS_DOMAIN_FS_DRIVER_TYPE_DEFAULT;
    if (pfsXMLPropEnum(driver, "type", pfsDomainFSDriverTypeFromString,
                       PFS_XML_PROP_NONZERO, &val) < 0)
        return -1;
    def->fsdriver = val;

    val = PFS_DOMAIN_FS_WRPOLICY_DEFAULT;
    if (pfsXMLPropEnum(driver, "wrpolicy", pfsDomainFSWrpolicyTypeFromString,
                       PFS_XML_PROP_NONZERO, &val) < 0)
        return -1;
    def->wrpolicy = val;

    if ((format = pfsXMLPropString(driver, "format"))) {
        if ((val = pfsStorageFileFormatTypeFromString(format)) <= 0) {
            pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                               _("unknown driver format value '%s'"), format);
            return -1;
        }
        def->format = val;
    }

    if ((queue = pfsXMLPropString(driver, "queue"))) {
        unsigned long long size;
        char *end = NULL;

        /* libvirt reads the queue size for virtiofs only */
        if (def->fsdriver != PFS_DOMAIN_FS_DRIVER_TYPE_VIRTIOFS) {
            pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                               _("attribute '%s' of element '%s' is only supported with driver type '%s'"),
                               "queue", "driver", "virtiofs");
            return -1;
        }
        size = g_ascii_strtoull(queue, &end, 10);
        if (!g_ascii_isdigit(queue[0]) || *end != '\0' || size > G_MAXUINT) {
            pfsReportErrorCode(PFS_ERR_XML_ERROR,
                               _("cannot parse queue size '%s' for virtiofs"),
                               queue);
            return -1;
        }
        def->queue = size;
    }

    return pfsDomainVirtioOptionsParseXML(driver, &def->virtio);
}


static int
pfsDomainFSBinaryParseXML(xmlNode *binary, pfsDomainFSDef *def)
{
    static const char *const attrs[] = { "path", NULL };

    /* only the helpers' path is modelled; virtiofsd tuning is not */
    if (def->fsdriver != PFS_DOMAIN_FS_DRIVER_TYPE_PROXY &&
        def->fsdriver != PFS_DOMAIN_FS_DRIVER_TYPE_VIRTIOFS) {
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                           _("element '%s' is only supported with filesystem driver type 'proxy' or 'virtiofs'"),
                           "binary");
        return -1;
    }
    if (pfsXMLCheckElement(binary, attrs, NULL) < 0)
        return -1;
    if (!(def->binary = pfsXMLPropString(binary, "path"))) {
        pfsReportErrorCode(PFS_ERR_XML_ERROR,
                           _("Missing required attribute '%s' in element '%s'"),
                           "path", "binary");
        return -1;
    }
    return 0;
}


static int
pfsDomainFSSourceParseXML(xmlNode *source, pfsDomainFSDef *def)
{
    const char *attrs[] = { "socket", pfsDomainFSSourceAttr(def->type),
                            NULL, NULL };

    if (def->type == PFS_DOMAIN_FS_TYPE_RAM)
        attrs[2] = "units";
    else if (def->type == PFS_DOMAIN_FS_TYPE_VOLUME)
        attrs[2] = "pool";
    if (pfsXMLCheckElement(source, attrs, NULL) < 0)
        return -1;

    def->sock = pfsXMLPropString(source, "socket");
    def->src = pfsXMLPropString(source, pfsDomainFSSourceAttr(def->type));

    if (def->type == PFS_DOMAIN_FS_TYPE_RAM) {
        char *end = NULL;

        if (!def->src) {
            pfsReportErrorCode(PFS_ERR_XML_ERROR, "%s",
                               _("missing 'usage' attribute for RAM filesystem"));
            return -1;
        }
        (void)g_ascii_strtoull(def->src, &end, 10);
        if (!g_ascii_isdigit(def->src[0]) || *end != '\0') {
            pfsReportErrorCode(PFS_ERR_XML_ERROR,
                               _("cannot parse usage '%s' for RAM filesystem"),
                               def->src);
            return -1;
        }
        def->srcUnits = pfsXMLPropString(source, "units");
    } else if (def->type == PFS_DOMAIN_FS_TYPE_VOLUME) {
        def->srcPool = pfsXMLPropString(source, "pool");
    }
    return 0;
}


pfsDomainFSDef *
pfsDomainFSDefParseXML(xmlNode *node)
{
    static const char *const attrs[] = {
        "type", "accessmode", "model", "multidevs", "fmode", "dmode", NULL
    };
    static const char *const children[] = {
        "driver", "binary", "source", "target", "readonly",
        "space_hard_limit", "space_soft_limit",
        "alias", "address", "boot", NULL
    };
    g_autoptr(pfsDomainFSDef) def = pfsDomainFSDefNew();
    xmlNode *child;
    xmlNode *source;
    int val;

    if (pfsXMLCheckElement(node, attrs, children) < 0 ||
        pfsXMLCheckUniqueChildren(node) < 0)
        return NULL;

    val = PFS_DOMAIN_FS_TYPE_MOUNT;
    if (pfsXMLPropEnum(node, "type", pfsDomainFSTypeFromString, 0, &val) < 0)
        return NULL;
    def->type = val;

    val = PFS_DOMAIN_FS_ACCESSMODE_DEFAULT;
    if (pfsXMLPropEnum(node, "accessmode", pfsDomainFSAccessModeTypeFromString,
                       PFS_XML_PROP_NONZERO, &val) < 0)
        return NULL;
    def->accessmode = val;

    val = PFS_DOMAIN_FS_MODEL_DEFAULT;
    if (pfsXMLPropEnum(node, "model", pfsDomainFSModelTypeFromString,
                       PFS_XML_PROP_NONZERO, &val) < 0)
        return NULL;
    def->model = val;

    val = PFS_DOMAIN_FS_MULTIDEVS_DEFAULT;
    if (pfsXMLPropEnum(node, "multidevs", pfsDomainFSMultidevsTypeFromString,
                       0, &val) < 0)
        return NULL;
    def->multidevs = val;

    if (pfsDomainFSModeParseXML(node, "fmode", &def->fmode) < 0 ||
        pfsDomainFSModeParseXML(node, "dmode", &def->dmode) < 0)
        return NULL;

    if ((child = pfsXMLChild(node, "driver")) &&
        pfsDomainFSDriverParseXML(child, def) < 0)
        return NULL;

    if ((child = pfsXMLChild(node, "binary")) &&
        pfsDomainFSBinaryParseXML(child, def) < 0)
        return NULL;

    if ((source = pfsXMLChild(node, "source")) &&
        pfsDomainFSSourceParseXML(source, def) < 0)
        return NULL;

    if ((child = pfsXMLChild(node, "target"))) {
        static const char *const targetAttrs[] = { "dir", NULL };

        if (pfsXMLCheckElement(child, targetAttrs, NULL) < 0)
            return NULL;
        def->dst = pfsXMLPropString(child, "dir");
    }

    if ((child = pfsXMLChild(node, "readonly"))) {
        if (pfsXMLCheckElement(child, NULL, NULL) < 0)
            return NULL;
        def->readonly = true;
    }

    /* bytes when no unit is given */
    if ((child = pfsXMLChild(node, "space_hard_limit")) &&
        pfsDomainParseScaledValue(child, 1, 1, G_MAXUINT64,
                                  &def->spaceHardLimit) < 0)
        return NULL;
    if ((child = pfsXMLChild(node, "space_soft_limit")) &&
        pfsDomainParseScaledValue(child, 1, 1, G_MAXUINT64,
                                  &def->spaceSoftLimit) < 0)
        return NULL;

    if (!def->src && !def->sock &&
        def->type != PFS_DOMAIN_FS_TYPE_RAM &&
        def->type != PFS_DOMAIN_FS_TYPE_VOLUME) {
        pfsReportErrorCode(PFS_ERR_NO_SOURCE, "%s",
                           def->dst ? def->dst : "filesystem");
        return NULL;
    }

    if (pfsDomainDeviceInfoParseXML(node,
                                    PFS_DOMAIN_INFO_ALLOW_BOOT |
                                    PFS_DOMAIN_INFO_ALLOW_PCI,
                                    &def->info) < 0)
        return NULL;

    return g_steal_pointer(&def);
}


static void
pfsDomainFSSourceFormat(pfsBuffer *buf, const pfsDomainFSDef *def)
{
    if (def->sock) {
        pfsBufferEscapeString(buf, "<source socket='%s'/>\n", def->sock);
        return;
    }
    if (!def->src && !def->srcPool)
        return;

    pfsBufferAdd(buf, "<source");
    if (def->srcPool)
        pfsBufferEscapeString(buf, " pool='%s'", def->srcPool);
    if (def->src) {
        pfsBufferAsprintf(buf, " %s=", pfsDomainFSSourceAttr(def->type));
        pfsBufferEscapeString(buf, "'%s'", def->src);
    }
    if (def->srcUnits)
        pfsBufferEscapeString(buf, " units='%s'", def->srcUnits);
    pfsBufferAdd(buf, "/>\n");
}


void
pfsDomainFSDefFormat(pfsBuffer *buf, const pfsDomainFSDef *def)
{
    g_auto(pfsBuffer) driver = PFS_BUFFER_INITIALIZER;

    pfsBufferAsprintf(buf, "<filesystem type='%s'",
                      pfsDomainFSTypeToString(def->type));
    if (def->accessmode)
        pfsBufferAsprintf(buf, " accessmode='%s'",
                          pfsDomainFSAccessModeTypeToString(def->accessmode));
    if (def->model)
        pfsBufferAsprintf(buf, " model='%s'",
                          pfsDomainFSModelTypeToString(def->model));
    if (def->multidevs)
        pfsBufferAsprintf(buf, " multidevs='%s'",
                          pfsDomainFSMultidevsTypeToString(def->multidevs));
    if (def->fmode)
        pfsBufferAsprintf(buf, " fmode='%04o'", def->fmode);
    if (def->dmode)
        pfsBufferAsprintf(buf, " dmode='%04o'", def->dmode);
    pfsBufferAdd(buf, ">\n");
    pfsBufferAdjustIndent(buf, 2);

    /* unlike libvirt 9.0, a wrpolicy without a driver type is kept */
    if (def->fsdriver)
        pfsBufferAsprintf(&driver, " type='%s'",
                          pfsDomainFSDriverTypeToString(def->fsdriver));
    if (def->format)
        pfsBufferAsprintf(&driver, " format='%s'",
                          pfsStorageFileFormatTypeToString(def->format));
    if (def->wrpolicy)
        pfsBufferAsprintf(&driver, " wrpolicy='%s'",
                          pfsDomainFSWrpolicyTypeToString(def->wrpolicy));
    if (def->queue)
        pfsBufferAsprintf(&driver, " queue='%u'", def->queue);
    pfsDomainVirtioOptionsFormat(&driver, &def->virtio);
    if (!pfsBufferIsEmpty(&driver)) {
        pfsBufferAdd(buf, "<driver");
        pfsBufferAddBuffer(buf, &driver);
        pfsBufferAdd(buf, "/>\n");
    }

    if (def->binary)
        pfsBufferEscapeString(buf, "<binary path='%s'/>\n", def->binary);
    pfsDomainFSSourceFormat(buf, def);
    if (def->dst)
        pfsBufferEscapeString(buf, "<target dir='%s'/>\n", def->dst);
    if (def->readonly)
        pfsBufferAdd(buf, "<readonly/>\n");
    if (def->spaceHardLimit)
        pfsBufferAsprintf(buf, "<space_hard_limit unit='bytes'>%llu</space_hard_limit>\n",
                          def->spaceHardLimit);
    if (def->spaceSoftLimit)
        pfsBufferAsprintf(buf, "<space_soft_limit unit='bytes'>%llu</space_soft_limit>\n",
                          def->spaceSoftLimit);
    pfsDomainDeviceInfoFormat(buf, &def->info);

    pfsBufferAdjustIndent(buf, -2);
    pfsBufferAdd(buf, "</filesystem>\n");
}
