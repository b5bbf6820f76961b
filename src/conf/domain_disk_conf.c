/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain_disk_conf.c: <disk> and <controller> parsing and formatting
 */
#include "pfsinternal.h"

#include <string.h>

#include "pfserrorcode.h"
#include "domain_conf_priv.h"

static int
pfsDomainDiskDriverParseXML(xmlNode *driver, pfsDomainDiskDef *def)
{
    static const char *const attrs[] = { "name", "type", NULL };
    g_autofree char *name = NULL;
    int val = PFS_STORAGE_FILE_NONE;

    if (pfsXMLCheckElement(driver, attrs, NULL) < 0)
        return -1;
    name = pfsXMLPropString(driver, "name");
    if (name && strcmp(name, "qemu") != 0) {
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                           _("unsupported driver name '%s' for disk '%s'"),
                           name, PFS_NULLSTR(def->dst));
        return -1;
    }
    if (pfsXMLPropEnum(driver, "type", pfsStorageFileFormatTypeFromString,
                       PFS_XML_PROP_NONZERO, &val) < 0)
        return -1;
    def->format = val;
    return 0;
}


static int
pfsDomainDiskSourceParseXML(xmlNode *source, pfsDomainDiskDef *def)
{
    const char *attr = def->type == PFS_DOMAIN_DISK_TYPE_BLOCK ? "dev" : "file";
    const char *const attrs[] = { attr, NULL };

    if (pfsXMLCheckElement(source, attrs, NULL) < 0)
        return -1;
    def->src = pfsXMLPropString(source, attr);
    return 0;
}


pfsDomainDiskDef *
pfsDomainDiskDefParseXML(xmlNode *node)
{
    static const char *const attrs[] = { "type", "device", NULL };
    static const char *const children[] = {
        "driver", "source", "target", "readonly",
        "alias", "address", "boot", NULL
    };
    static const char *const targetAttrs[] = { "dev", "bus", NULL };
    g_autoptr(pfsDomainDiskDef) def = pfsDomainDiskDefNew();
    xmlNode *child;
    int val;

    if (pfsXMLCheckElement(node, attrs, children) < 0 ||
        pfsXMLCheckUniqueChildren(node) < 0)
        return NULL;

    val = PFS_DOMAIN_DISK_TYPE_FILE;
    if (pfsXMLPropEnum(node, "type", pfsDomainDiskTypeFromString, 0, &val) < 0)
        return NULL;
    def->type = val;

    val = PFS_DOMAIN_DISK_DEVICE_DISK;
    if (pfsXMLPropEnum(node, "device", pfsDomainDiskDeviceTypeFromString, 0, &val) < 0)
        return NULL;
    def->device = val;

    if ((child = pfsXMLChild(node, "target"))) {
        if (pfsXMLCheckElement(child, targetAttrs, NULL) < 0)
            return NULL;
        def->dst = pfsXMLPropString(child, "dev");
        val = PFS_DOMAIN_DISK_BUS_NONE;
        if (pfsXMLPropEnum(child, "bus", pfsDomainDiskBusTypeFromString,
                           PFS_XML_PROP_NONZERO, &val) < 0)
            return NULL;
        def->bus = val;
    }

    if ((child = pfsXMLChild(node, "driver")) &&
        pfsDomainDiskDriverParseXML(child, def) < 0)
        return NULL;

    if ((child = pfsXMLChild(node, "source")) &&
        pfsDomainDiskSourceParseXML(child, def) < 0)
        return NULL;

    if ((child = pfsXMLChild(node, "readonly"))) {
        if (pfsXMLCheckElement(child, NULL, NULL) < 0)
            return NULL;
        def->readonly = true;
    }

    if (!def->dst) {
        pfsReportErrorCode(PFS_ERR_NO_TARGET, "%s",
                           def->src ? def->src : "disk");
        return NULL;
    }
    /* only removable media may be empty */
    if (!def->src && def->device != PFS_DOMAIN_DISK_DEVICE_CDROM) {
        pfsReportErrorCode(PFS_ERR_NO_SOURCE, "%s", def->dst);
        return NULL;
    }

    if (pfsDomainDeviceInfoParseXML(node,
                                    PFS_DOMAIN_INFO_ALLOW_BOOT |
                                    PFS_DOMAIN_INFO_ALLOW_PCI |
                                    PFS_DOMAIN_INFO_ALLOW_DRIVE,
                                    &def->info) < 0)
        return NULL;

    return g_steal_pointer(&def);
}


void
pfsDomainDiskDefFormat(pfsBuffer *buf, const pfsDomainDiskDef *def)
{
    pfsBufferAsprintf(buf, "<disk type='%s' device='%s'>\n",
                      pfsDomainDiskTypeToString(def->type),
                      pfsDomainDiskDeviceTypeToString(def->device));
    pfsBufferAdjustIndent(buf, 2);

    if (def->format)
        pfsBufferAsprintf(buf, "<driver name='qemu' type='%s'/>\n",
                          pfsStorageFileFormatTypeToString(def->format));
    if (def->src)
        pfsBufferEscapeString(buf,
                              def->type == PFS_DOMAIN_DISK_TYPE_BLOCK ?
                              "<source dev='%s'/>\n" : "<source file='%s'/>\n",
                              def->src);
    pfsBufferEscapeString(buf, "<target dev='%s'", def->dst);
    if (def->bus)
        pfsBufferAsprintf(buf, " bus='%s'", pfsDomainDiskBusTypeToString(def->bus));
    pfsBufferAdd(buf, "/>\n");
    if (def->readonly)
        pfsBufferAdd(buf, "<readonly/>\n");
    pfsDomainDeviceInfoFormat(buf, &def->info);

    pfsBufferAdjustIndent(buf, -2);
    pfsBufferAdd(buf, "</disk>\n");
}


pfsDomainControllerDef *
pfsDomainControllerDefParseXML(xmlNode *node)
{
    static const char *const attrs[] = { "type", "index", "model", NULL };
    static const char *const children[] = { "alias", "address", NULL };
    g_autoptr(pfsDomainControllerDef) def = g_new0(pfsDomainControllerDef, 1);
    const char *wantModel = NULL;
    unsigned int flags = 0;
    int val = 0;

    if (pfsXMLCheckElement(node, attrs, children) < 0)
        return NULL;
    if (pfsXMLPropEnum(node, "type", pfsDomainControllerTypeFromString,
                       PFS_XML_PROP_REQUIRED, &val) < 0)
        return NULL;
    def->type = val;
    if (pfsXMLPropUInt(node, "index", 10, 0, &def->idx) < 0)
        return NULL;
    def->model = pfsXMLPropString(node, "model");

    /* only the controllers an i440fx machine has or that the formatter
     * of a modelled device needs are accepted */
    switch (def->type) {
    case PFS_DOMAIN_CONTROLLER_TYPE_USB:
        wantModel = "none";
        break;
    case PFS_DOMAIN_CONTROLLER_TYPE_PCI:
        wantModel = "pci-root";
        break;
    case PFS_DOMAIN_CONTROLLER_TYPE_SATA:
        flags = PFS_DOMAIN_INFO_ALLOW_PCI;
        break;
    case PFS_DOMAIN_CONTROLLER_TYPE_IDE:
    case PFS_DOMAIN_CONTROLLER_TYPE_LAST:
        break;
    }

    if (g_strcmp0(def->model, wantModel) != 0) {
        if (wantModel)
            pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                               _("controller type '%s' is only supported with model '%s'"),
                               pfsDomainControllerTypeToString(def->type), wantModel);
        else
            pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                               _("controller type '%s' does not support a model"),
                               pfsDomainControllerTypeToString(def->type));
        return NULL;
    }
    if (def->idx != 0) {
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                           _("only controller index 0 is supported, not %u for type '%s'"),
                           def->idx, pfsDomainControllerTypeToString(def->type));
        return NULL;
    }

    if (pfsDomainDeviceInfoParseXML(node, flags, &def->info) < 0)
        return NULL;
    return g_steal_pointer(&def);
}


void
pfsDomainControllerDefFormat(pfsBuffer *buf, const pfsDomainControllerDef *def)
{
    pfsBufferAsprintf(buf, "<controller type='%s' index='%u'",
                      pfsDomainControllerTypeToString(def->type), def->idx);
    if (def->model)
        pfsBufferEscapeString(buf, " model='%s'", def->model);
    pfsDomainDeviceInfoFormatEnd(buf, "controller", &def->info);
}
