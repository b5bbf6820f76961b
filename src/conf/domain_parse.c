/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain_parse.c: reading a <domain> document into a pfsDomainDef
 *
 * Every element and attribute is either modelled or refused by name,
 * so a configuration is never half understood.
 */
#include "pfsinternal.h"

#include <string.h>

#include "pfserrorcode.h"
#include "pfsunits.h"
#include "domain_conf_priv.h"

/* Memory sizes are kept in KiB; libvirt caps them so that bytes fit in
 * a signed 64-bit value. */
#define PFS_DOMAIN_MEMORY_MAX_KIB (G_MAXINT64 / 1024)


int
pfsDomainParseScaledValue(xmlNode *node,
                          unsigned long long defaultScale,
                          unsigned long long resultScale,
                          unsigned long long limit,
                          unsigned long long *value)
{
    static const char *const attrs[] = { "unit", NULL };
    g_autofree char *unit = NULL;
    g_autofree char *text = NULL;
    char *end = NULL;

    if (pfsXMLCheckElement(node, attrs, NULL) < 0)
        return -1;
    unit = pfsXMLPropString(node, "unit");
    text = g_strstrip(pfsXMLNodeContent(node));
    *value = g_ascii_strtoull(text, &end, 10);
    if (!g_ascii_isdigit(text[0]) || *end != '\0') {
        pfsReportErrorCode(PFS_ERR_XML_ERROR,
                           _("invalid value '%s' for element '%s'"),
                           text, (const char *)node->name);
        return -1;
    }
    return pfsScaleInteger(value, unit, defaultScale, resultScale, limit);
}


static int
pfsDomainMemoryParseXML(xmlNode *node, unsigned long long *kib)
{
    /* a number without unit is KiB, as in libvirt */
    return pfsDomainParseScaledValue(node, 1024, 1024,
                                     PFS_DOMAIN_MEMORY_MAX_KIB, kib);
}


static int
pfsDomainVcpuParseXML(xmlNode *node, pfsDomainDef *def)
{
    static const char *const attrs[] = { "placement", NULL };
    g_autofree char *placement = pfsXMLPropString(node, "placement");
    g_autofree char *text = NULL;
    char *end = NULL;
    unsigned long long n;

    if (pfsXMLCheckElement(node, attrs, NULL) < 0)
        return -1;
    if (placement && strcmp(placement, "static") != 0) {
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                           _("vcpu placement '%s' is not supported, only 'static'"),
                           placement);
        return -1;
    }
    text = g_strstrip(pfsXMLNodeContent(node));
    n = g_ascii_strtoull(text, &end, 10);
    if (!g_ascii_isdigit(text[0]) || *end != '\0' || n == 0 || n > 4096) {
        pfsReportErrorCode(PFS_ERR_XML_ERROR,
                           _("invalid value '%s' for element '%s'"),
                           text, "vcpu");
        return -1;
    }
    def->vcpus = n;
    return 0;
}


static char *
pfsDomainTextChild(xmlNode *node)
{
    return g_strstrip(pfsXMLNodeContent(node));
}


static int
pfsDomainOSParseXML(xmlNode *os, pfsDomainDef *def)
{
    static const char *const children[] = {
        "type", "kernel", "initrd", "cmdline", "boot", NULL
    };
    static const char *const typeAttrs[] = { "arch", "machine", NULL };
    static const char *const bootAttrs[] = { "dev", NULL };
    xmlNode *child;

    if (pfsXMLCheckElement(os, NULL, children) < 0)
        return -1;

    for (child = os->children; child; child = child->next) {
        const char *name = (const char *)child->name;
        char **field = NULL;

        if (child->type != XML_ELEMENT_NODE)
            continue;

        if (strcmp(name, "type") == 0) {
            if (pfsXMLCheckElement(child, typeAttrs, NULL) < 0)
                return -1;
            field = &def->os.type;
            g_free(def->os.arch);
            g_free(def->os.machine);
            def->os.arch = pfsXMLPropString(child, "arch");
            def->os.machine = pfsXMLPropString(child, "machine");
        } else if (strcmp(name, "kernel") == 0) {
            field = &def->os.kernel;
        } else if (strcmp(name, "initrd") == 0) {
            field = &def->os.initrd;
        } else if (strcmp(name, "cmdline") == 0) {
            field = &def->os.cmdline;
        } else {
            int dev = 0;

            if (pfsXMLCheckElement(child, bootAttrs, NULL) < 0)
                return -1;
            if (def->os.nBootDevs == PFS_DOMAIN_BOOT_MAX) {
                pfsReportErrorCode(PFS_ERR_XML_ERROR, "%s",
                                   _("too many boot devices in <os>"));
                return -1;
            }
            if (pfsXMLPropEnum(child, "dev", pfsDomainBootDevTypeFromString,
                               PFS_XML_PROP_REQUIRED, &dev) < 0)
                return -1;
            def->os.bootDevs[def->os.nBootDevs++] = dev;
            continue;
        }

        if (*field) {
            pfsReportErrorCode(PFS_ERR_XML_ERROR,
                               _("element '%s' may appear only once in '%s'"),
                               name, "os");
            return -1;
        }
        if (pfsXMLCheckElement(child, field == &def->os.type ? typeAttrs : NULL,
                               NULL) < 0)
            return -1;
        *field = pfsDomainTextChild(child);
    }

    if (!def->os.type) {
        pfsReportErrorCode(PFS_ERR_XML_ERROR, "%s",
                           _("an os <type> must be specified"));
        return -1;
    }
    if (strcmp(def->os.type, "hvm") != 0) {
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                           _("unknown OS type '%s'"), def->os.type);
        return -1;
    }
    return 0;
}


static int
pfsDomainFeaturesParseXML(xmlNode *features, pfsDomainDef *def)
{
    static const char *const children[] = { "acpi", "apic", NULL };
    xmlNode *child;

    if (pfsXMLCheckElement(features, NULL, children) < 0)
        return -1;
    for (child = features->children; child; child = child->next) {
        if (child->type != XML_ELEMENT_NODE)
            continue;
        if (pfsXMLCheckElement(child, NULL, NULL) < 0)
            return -1;
        if (xmlStrEqual(child->name, BAD_CAST "acpi"))
            def->acpi = true;
        else
            def->apic = true;
    }
    return 0;
}


static int
pfsDomainLifecycleParseXML(xmlNode *node, bool crash,
                           pfsDomainLifecycleAction *action)
{
    g_autofree char *text = NULL;
    int val;

    if (pfsXMLCheckElement(node, NULL, NULL) < 0)
        return -1;
    text = pfsDomainTextChild(node);
    val = pfsDomainLifecycleActionTypeFromString(text);
    if (val <= 0 ||
        (!crash && (val == PFS_DOMAIN_LIFECYCLE_ACTION_COREDUMP_DESTROY ||
                    val == PFS_DOMAIN_LIFECYCLE_ACTION_COREDUMP_RESTART))) {
        pfsReportErrorCode(PFS_ERR_XML_ERROR,
                           _("invalid value '%s' for element '%s'"),
                           text, (const char *)node->name);
        return -1;
    }
    *action = val;
    return 0;
}


static int
pfsDomainSeclabelParseXML(xmlNode *node, pfsDomainDef *def)
{
    static const char *const attrs[] = { "type", "model", "relabel", NULL };
    static const char *const children[] = { "label", NULL };
    g_autofree char *model = NULL;
    g_autofree char *relabel = NULL;
    pfsDomainSeclabelDef *sec;
    xmlNode *label;
    int val = 0;

    if (def->seclabel) {
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED, "%s",
                           _("only one <seclabel> (model 'dac') is supported"));
        return -1;
    }
    if (pfsXMLCheckElement(node, attrs, children) < 0)
        return -1;

    model = pfsXMLPropString(node, "model");
    if (g_strcmp0(model, "dac") != 0) {
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                           _("security model '%s' is not supported, only 'dac'"),
                           PFS_NULLSTR(model));
        return -1;
    }

    sec = def->seclabel = g_new0(pfsDomainSeclabelDef, 1);
    if (pfsXMLPropEnum(node, "type", pfsDomainSeclabelTypeFromString,
                       PFS_XML_PROP_REQUIRED | PFS_XML_PROP_NONZERO, &val) < 0)
        return -1;
    sec->type = val;

    if ((relabel = pfsXMLPropString(node, "relabel"))) {
        if (strcmp(relabel, "yes") == 0) {
            sec->relabel = PFS_TRISTATE_SWITCH_ON;
        } else if (strcmp(relabel, "no") == 0) {
            sec->relabel = PFS_TRISTATE_SWITCH_OFF;
        } else {
            pfsReportErrorCode(PFS_ERR_XML_ERROR,
                               _("Invalid value for attribute '%s' in element '%s': '%s'."),
                               "relabel", "seclabel", relabel);
            return -1;
        }
    }

    if ((label = pfsXMLChild(node, "label"))) {
        char *colon;

        if (pfsXMLCheckElement(label, NULL, NULL) < 0)
            return -1;
        if (sec->type != PFS_DOMAIN_SECLABEL_STATIC) {
            pfsReportErrorCode(PFS_ERR_XML_ERROR, "%s",
                               _("a DAC <label> can only be given with seclabel type 'static'"));
            return -1;
        }
        sec->label = pfsDomainTextChild(label);
        colon = strchr(sec->label, ':');
        if (!colon || colon == sec->label || colon[1] == '\0' ||
            strchr(colon + 1, ':')) {
            pfsReportErrorCode(PFS_ERR_XML_ERROR,
                               _("invalid DAC label '%s': expecting 'user:group'"),
                               sec->label);
            return -1;
        }
        sec->user = g_strndup(sec->label, colon - sec->label);
        sec->group = g_strdup(colon + 1);
    } else if (sec->type == PFS_DOMAIN_SECLABEL_STATIC) {
        pfsReportErrorCode(PFS_ERR_XML_ERROR, "%s",
                           _("security label is missing"));
        return -1;
    }
    return 0;
}


/* Append @dev to the growing array @list of @n entries. */
#define PFS_APPEND_DEVICE(list, n, dev) \
    do { \
        (list) = g_renew(typeof(*(list)), (list), (n) + 1); \
        (list)[(n)++] = (dev); \
    } while (0)

static int
pfsDomainDevicesParseXML(xmlNode *devices, pfsDomainDef *def)
{
    static const char *const children[] = {
        "emulator", "disk", "controller", "filesystem", "interface",
        "serial", "console", "memballoon", NULL
    };
    xmlNode *node;

    if (pfsXMLCheckElement(devices, NULL, children) < 0)
        return -1;

    for (node = devices->children; node; node = node->next) {
        const char *name = (const char *)node->name;

        if (node->type != XML_ELEMENT_NODE)
            continue;

        if (strcmp(name, "emulator") == 0) {
            if (def->emulator || pfsXMLCheckElement(node, NULL, NULL) < 0) {
                if (def->emulator)
                    pfsReportErrorCode(PFS_ERR_XML_ERROR,
                                       _("element '%s' may appear only once in '%s'"),
                                       name, "devices");
                return -1;
            }
            def->emulator = pfsDomainTextChild(node);
        } else if (strcmp(name, "disk") == 0) {
            pfsDomainDiskDef *disk = pfsDomainDiskDefParseXML(node);
            if (!disk)
                return -1;
            PFS_APPEND_DEVICE(def->disks, def->ndisks, disk);
        } else if (strcmp(name, "controller") == 0) {
            pfsDomainControllerDef *cont = pfsDomainControllerDefParseXML(node);
            if (!cont)
                return -1;
            PFS_APPEND_DEVICE(def->controllers, def->ncontrollers, cont);
        } else if (strcmp(name, "filesystem") == 0) {
            pfsDomainFSDef *fs = pfsDomainFSDefParseXML(node);
            if (!fs)
                return -1;
            PFS_APPEND_DEVICE(def->fss, def->nfss, fs);
        } else if (strcmp(name, "interface") == 0) {
            pfsDomainNetDef *net = pfsDomainNetDefParseXML(node);
            if (!net)
                return -1;
            PFS_APPEND_DEVICE(def->nets, def->nnets, net);
        } else if (strcmp(name, "serial") == 0) {
            pfsDomainChrDef *chr = pfsDomainChrDefParseXML(node, false);
            if (!chr)
                return -1;
            PFS_APPEND_DEVICE(def->serials, def->nserials, chr);
        } else if (strcmp(name, "console") == 0) {
            if (def->console) {
                pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED, "%s",
                                   _("only one <console> is supported"));
                return -1;
            }
            if (!(def->console = pfsDomainChrDefParseXML(node, true)))
                return -1;
        } else {
            if (def->memballoon) {
                pfsReportErrorCode(PFS_ERR_XML_ERROR,
                                   _("element '%s' may appear only once in '%s'"),
                                   name, "devices");
                return -1;
            }
            if (!(def->memballoon = pfsDomainMemballoonDefParseXML(node)))
                return -1;
        }
    }
    return 0;
}


static int
pfsDomainDefParseNode(xmlNode *root, pfsDomainDef *def)
{
    static const char *const attrs[] = { "type", NULL };
    static const char *const children[] = {
        "name", "uuid", "memory", "currentMemory", "vcpu", "os", "features",
        "clock", "on_poweroff", "on_reboot", "on_crash", "devices",
        "seclabel", NULL
    };
    xmlNode *node;
    int val = 0;

    if (pfsXMLCheckElement(root, attrs, children) < 0)
        return -1;

    if (pfsXMLPropEnum(root, "type", pfsDomainVirtTypeFromString,
                       PFS_XML_PROP_REQUIRED, &val) < 0)
        return -1;
    def->virtType = val;

    for (node = root->children; node; node = node->next) {
        const char *name = (const char *)node->name;
        xmlNode *other;

        if (node->type != XML_ELEMENT_NODE)
            continue;

        /* only <seclabel> may repeat, and is refused there with a reason */
        for (other = node->next; other; other = other->next) {
            if (other->type == XML_ELEMENT_NODE &&
                xmlStrEqual(other->name, node->name) &&
                strcmp(name, "seclabel") != 0) {
                pfsReportErrorCode(PFS_ERR_XML_ERROR,
                                   _("element '%s' may appear only once in '%s'"),
                                   name, "domain");
                return -1;
            }
        }

        if (strcmp(name, "name") == 0) {
            if (pfsXMLCheckElement(node, NULL, NULL) < 0)
                return -1;
            def->name = pfsDomainTextChild(node);
        } else if (strcmp(name, "uuid") == 0) {
            g_autofree char *uuid = NULL;

            if (pfsXMLCheckElement(node, NULL, NULL) < 0)
                return -1;
            uuid = pfsDomainTextChild(node);
            if (pfsUUIDParse(uuid, def->uuid) < 0) {
                pfsReportErrorCode(PFS_ERR_XML_ERROR,
                                   _("malformed uuid element '%s'"), uuid);
                return -1;
            }
            def->haveUUID = true;
        } else if (strcmp(name, "memory") == 0) {
            if (pfsDomainMemoryParseXML(node, &def->memory) < 0)
                return -1;
        } else if (strcmp(name, "currentMemory") == 0) {
            if (pfsDomainMemoryParseXML(node, &def->curMemory) < 0)
                return -1;
        } else if (strcmp(name, "vcpu") == 0) {
            if (pfsDomainVcpuParseXML(node, def) < 0)
                return -1;
        } else if (strcmp(name, "os") == 0) {
            if (pfsDomainOSParseXML(node, def) < 0)
                return -1;
        } else if (strcmp(name, "features") == 0) {
            if (pfsDomainFeaturesParseXML(node, def) < 0)
                return -1;
        } else if (strcmp(name, "clock") == 0) {
            static const char *const clockAttrs[] = { "offset", NULL };

            val = PFS_DOMAIN_CLOCK_OFFSET_UTC;
            if (pfsXMLCheckElement(node, clockAttrs, NULL) < 0 ||
                pfsXMLPropEnum(node, "offset", pfsDomainClockOffsetTypeFromString,
                               PFS_XML_PROP_REQUIRED, &val) < 0)
                return -1;
            def->haveClock = true;
            def->clockOffset = val;
        } else if (strcmp(name, "on_poweroff") == 0) {
            if (pfsDomainLifecycleParseXML(node, false, &def->onPoweroff) < 0)
                return -1;
        } else if (strcmp(name, "on_reboot") == 0) {
            if (pfsDomainLifecycleParseXML(node, false, &def->onReboot) < 0)
                return -1;
        } else if (strcmp(name, "on_crash") == 0) {
            if (pfsDomainLifecycleParseXML(node, true, &def->onCrash) < 0)
                return -1;
        } else if (strcmp(name, "devices") == 0) {
            if (pfsDomainDevicesParseXML(node, def) < 0)
                return -1;
        } else {
            if (pfsDomainSeclabelParseXML(node, def) < 0)
                return -1;
        }
    }

    if (!def->name || !def->name[0]) {
        pfsReportErrorCode(PFS_ERR_XML_ERROR, "%s", _("missing domain name"));
        return -1;
    }
    if (strchr(def->name, '/')) {
        pfsReportErrorCode(PFS_ERR_XML_ERROR,
                           _("name '%s' cannot contain '/'"), def->name);
        return -1;
    }
    if (!def->memory) {
        pfsReportErrorCode(PFS_ERR_XML_ERROR, "%s",
                           _("Memory size must be specified via <memory>"));
        return -1;
    }
    if (!def->os.type) {
        pfsReportErrorCode(PFS_ERR_XML_ERROR, "%s",
                           _("an os <type> must be specified"));
        return -1;
    }
    return 0;
}


pfsDomainDef *
pfsDomainDefParseDoc(xmlDoc *doc)
{
    g_autoptr(pfsDomainDef) def = pfsDomainDefNew();
    xmlNode *root = xmlDocGetRootElement(doc);

    if (!root || !xmlStrEqual(root->name, BAD_CAST "domain")) {
        pfsReportErrorCode(PFS_ERR_XML_ERROR,
                           _("expecting root element of '%s', not '%s'"),
                           "domain", root ? (const char *)root->name : "");
        return NULL;
    }

    if (pfsDomainDefParseNode(root, def) < 0 ||
        pfsDomainDefPostParse(def) < 0 ||
        pfsDomainDefValidate(def) < 0)
        return NULL;

    return g_steal_pointer(&def);
}


static pfsDomainDef *
pfsDomainDefParse(const char *filename, const char *xml)
{
    g_autoptr(xmlDoc) doc = NULL;

    if (!(doc = pfsXMLParse(filename, xml, "domain", NULL)))
        return NULL;
    return pfsDomainDefParseDoc(doc);
}


pfsDomainDef *
pfsDomainDefParseFile(const char *filename)
{
    return pfsDomainDefParse(filename, NULL);
}


pfsDomainDef *
pfsDomainDefParseString(const char *xml)
{
    return pfsDomainDefParse(NULL, xml);
}
