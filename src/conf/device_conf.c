/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * device_conf.c: what every device element has: alias, address, boot
 * order, and the virtio options of its <driver>
 */
#include "pfsinternal.h"

#include <string.h>

#include "pfserrorcode.h"
#include "domain_conf_priv.h"

xmlNode *
pfsXMLChild(xmlNode *node, const char *name)
{
    xmlNode *child;

    for (child = node->children; child; child = child->next) {
        if (child->type == XML_ELEMENT_NODE &&
            xmlStrEqual(child->name, BAD_CAST name))
            return child;
    }
    return NULL;
}


static int
pfsDomainAliasParseXML(xmlNode *node, pfsDomainDeviceInfo *info)
{
    static const char *const attrs[] = { "name", NULL };
    g_autofree char *name = NULL;

    if (pfsXMLCheckElement(node, attrs, NULL) < 0)
        return -1;
    if (!(name = pfsXMLPropString(node, "name"))) {
        pfsReportErrorCode(PFS_ERR_XML_ERROR,
                           _("Missing required attribute '%s' in element '%s'"),
                           "name", "alias");
        return -1;
    }
    /* libvirt keeps only user aliases in an inactive definition; we
     * refuse the others rather than drop them */
    if (!pfsDomainDeviceAliasIsUserAlias(name)) {
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                           _("alias '%s' is not a user alias: it must start with '%s'"),
                           name, PFS_DOMAIN_USER_ALIAS_PREFIX);
        return -1;
    }
    if (strspn(name, PFS_DOMAIN_USER_ALIAS_CHARS) != strlen(name)) {
        pfsReportErrorCode(PFS_ERR_XML_ERROR,
                           _("malformed alias '%s': only letters, digits, '_' and '-' are allowed"),
                           name);
        return -1;
    }
    info->alias = g_steal_pointer(&name);
    return 0;
}


static int
pfsDomainPCIAddressParseXML(xmlNode *node, pfsPCIAddress *pci)
{
    static const char *const attrs[] = {
        "type", "domain", "bus", "slot", "function", "multifunction", NULL
    };

    if (pfsXMLCheckElement(node, attrs, NULL) < 0)
        return -1;
    if (pfsXMLPropUInt(node, "domain", 0, 0, &pci->domain) < 0 ||
        pfsXMLPropUInt(node, "bus", 0, 0, &pci->bus) < 0 ||
        pfsXMLPropUInt(node, "slot", 0, 0, &pci->slot) < 0 ||
        pfsXMLPropUInt(node, "function", 0, 0, &pci->function) < 0 ||
        pfsXMLPropTristateSwitch(node, "multifunction", 0, &pci->multi) < 0)
        return -1;

    if (pci->domain > 0xffff) {
        pfsReportErrorCode(PFS_ERR_XML_ERROR,
                           _("Invalid PCI address domain='0x%x', must be <= 0x%x"),
                           pci->domain, 0xffff);
        return -1;
    }
    if (pci->bus > 0xff) {
        pfsReportErrorCode(PFS_ERR_XML_ERROR,
                           _("Invalid PCI address bus='0x%x', must be <= 0x%x"),
                           pci->bus, 0xff);
        return -1;
    }
    if (pci->slot > 0x1f) {
        pfsReportErrorCode(PFS_ERR_XML_ERROR,
                           _("Invalid PCI address slot='0x%x', must be <= 0x%x"),
                           pci->slot, 0x1f);
        return -1;
    }
    if (pci->function > 7) {
        pfsReportErrorCode(PFS_ERR_XML_ERROR,
                           _("Invalid PCI address function='0x%x', must be <= 7"),
                           pci->function);
        return -1;
    }
    return 0;
}


static int
pfsDomainDriveAddressParseXML(xmlNode *node, pfsDriveAddress *drive)
{
    static const char *const attrs[] = {
        "type", "controller", "bus", "target", "unit", NULL
    };

    if (pfsXMLCheckElement(node, attrs, NULL) < 0)
        return -1;
    if (pfsXMLPropUInt(node, "controller", 10, 0, &drive->controller) < 0 ||
        pfsXMLPropUInt(node, "bus", 10, 0, &drive->bus) < 0 ||
        pfsXMLPropUInt(node, "target", 10, 0, &drive->target) < 0 ||
        pfsXMLPropUInt(node, "unit", 10, 0, &drive->unit) < 0)
        return -1;
    return 0;
}


static int
pfsDomainAddressParseXML(xmlNode *node,
                         unsigned int flags,
                         pfsDomainDeviceInfo *info)
{
    int type = PFS_DOMAIN_DEVICE_ADDRESS_TYPE_NONE;
    g_autofree char *typeStr = pfsXMLPropString(node, "type");

    if (pfsXMLPropEnum(node, "type", pfsDomainDeviceAddressTypeFromString,
                       PFS_XML_PROP_REQUIRED | PFS_XML_PROP_NONZERO, &type) < 0)
        return -1;

    switch ((pfsDomainDeviceAddressType)type) {
    case PFS_DOMAIN_DEVICE_ADDRESS_TYPE_PCI:
        if (!(flags & PFS_DOMAIN_INFO_ALLOW_PCI))
            break;
        info->type = type;
        return pfsDomainPCIAddressParseXML(node, &info->addr.pci);
    case PFS_DOMAIN_DEVICE_ADDRESS_TYPE_DRIVE:
        if (!(flags & PFS_DOMAIN_INFO_ALLOW_DRIVE))
            break;
        info->type = type;
        return pfsDomainDriveAddressParseXML(node, &info->addr.drive);
    case PFS_DOMAIN_DEVICE_ADDRESS_TYPE_NONE:
    case PFS_DOMAIN_DEVICE_ADDRESS_TYPE_LAST:
        break;
    }

    pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                       _("address type '%s' is not supported for device '%s'"),
                       typeStr, (const char *)node->parent->name);
    return -1;
}


int
pfsDomainDeviceInfoParseXML(xmlNode *node,
                            unsigned int flags,
                            pfsDomainDeviceInfo *info)
{
    xmlNode *child;

    if ((child = pfsXMLChild(node, "alias")) &&
        pfsDomainAliasParseXML(child, info) < 0)
        return -1;

    if ((child = pfsXMLChild(node, "address")) &&
        pfsDomainAddressParseXML(child, flags, info) < 0)
        return -1;

    if ((child = pfsXMLChild(node, "boot"))) {
        static const char *const attrs[] = { "order", NULL };

        if (!(flags & PFS_DOMAIN_INFO_ALLOW_BOOT)) {
            pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                               _("element '%s' in '%s' is not supported"),
                               "boot", (const char *)node->name);
            return -1;
        }
        if (pfsXMLCheckElement(child, attrs, NULL) < 0)
            return -1;
        if (pfsXMLPropUInt(child, "order", 10,
                           PFS_XML_PROP_REQUIRED | PFS_XML_PROP_NONZERO,
                           &info->bootIndex) < 0)
            return -1;
    }
    return 0;
}


void
pfsDomainDeviceInfoFormat(pfsBuffer *buf, const pfsDomainDeviceInfo *info)
{
    if (info->bootIndex)
        pfsBufferAsprintf(buf, "<boot order='%u'/>\n", info->bootIndex);

    if (pfsDomainDeviceAliasIsUserAlias(info->alias))
        pfsBufferEscapeString(buf, "<alias name='%s'/>\n", info->alias);

    switch (info->type) {
    case PFS_DOMAIN_DEVICE_ADDRESS_TYPE_PCI:
        pfsBufferAsprintf(buf,
                          "<address type='pci' domain='0x%04x' bus='0x%02x' slot='0x%02x' function='0x%x'",
                          info->addr.pci.domain, info->addr.pci.bus,
                          info->addr.pci.slot, info->addr.pci.function);
        if (info->addr.pci.multi != PFS_TRISTATE_SWITCH_ABSENT)
            pfsBufferAsprintf(buf, " multifunction='%s'",
                              pfsTristateSwitchTypeToString(info->addr.pci.multi));
        pfsBufferAdd(buf, "/>\n");
        break;
    case PFS_DOMAIN_DEVICE_ADDRESS_TYPE_DRIVE:
        pfsBufferAsprintf(buf,
                          "<address type='drive' controller='%u' bus='%u' target='%u' unit='%u'/>\n",
                          info->addr.drive.controller, info->addr.drive.bus,
                          info->addr.drive.target, info->addr.drive.unit);
        break;
    case PFS_DOMAIN_DEVICE_ADDRESS_TYPE_NONE:
    case PFS_DOMAIN_DEVICE_ADDRESS_TYPE_LAST:
        break;
    }
}


void
pfsDomainDeviceInfoFormatEnd(pfsBuffer *buf,
                             const char *name,
                             const pfsDomainDeviceInfo *info)
{
    if (!info->bootIndex && !info->type &&
        !pfsDomainDeviceAliasIsUserAlias(info->alias)) {
        pfsBufferAdd(buf, "/>\n");
        return;
    }
    pfsBufferAdd(buf, ">\n");
    pfsBufferAdjustIndent(buf, 2);
    pfsDomainDeviceInfoFormat(buf, info);
    pfsBufferAdjustIndent(buf, -2);
    pfsBufferAsprintf(buf, "</%s>\n", name);
}


int
pfsDomainVirtioOptionsParseXML(xmlNode *driver, pfsDomainVirtioOptions *opts)
{
    if (pfsXMLPropTristateSwitch(driver, "iommu", 0, &opts->iommu) < 0 ||
        pfsXMLPropTristateSwitch(driver, "ats", 0, &opts->ats) < 0 ||
        pfsXMLPropTristateSwitch(driver, "packed", 0, &opts->packed) < 0 ||
        pfsXMLPropTristateSwitch(driver, "page_per_vq", 0, &opts->page_per_vq) < 0)
        return -1;
    return 0;
}


void
pfsDomainVirtioOptionsFormat(pfsBuffer *buf, const pfsDomainVirtioOptions *opts)
{
    if (opts->iommu)
        pfsBufferAsprintf(buf, " iommu='%s'",
                          pfsTristateSwitchTypeToString(opts->iommu));
    if (opts->ats)
        pfsBufferAsprintf(buf, " ats='%s'",
                          pfsTristateSwitchTypeToString(opts->ats));
    if (opts->packed)
        pfsBufferAsprintf(buf, " packed='%s'",
                          pfsTristateSwitchTypeToString(opts->packed));
    if (opts->page_per_vq)
        pfsBufferAsprintf(buf, " page_per_vq='%s'",
                          pfsTristateSwitchTypeToString(opts->page_per_vq));
}
