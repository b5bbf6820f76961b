/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain_chr_conf.c: <serial> and <console> parsing and formatting
 *
 * A console is the guest's first serial port seen from the management
 * side, as in libvirt: <console><target type='serial' port='0'/>.
 */
#include "pfsinternal.h"

#include <string.h>

#include "pfserrorcode.h"
#include "domain_conf_priv.h"

static int
pfsDomainChrSourceParseXML(xmlNode *node, pfsDomainChrDef *def)
{
    static const char *const fileAttrs[] = { "path", "append", NULL };
    xmlNode *source = pfsXMLChild(node, "source");

    if (def->type != PFS_DOMAIN_CHR_TYPE_FILE) {
        if (source) {
            pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                               _("element '%s' in '%s' is not supported"),
                               "source", (const char *)node->name);
            return -1;
        }
        return 0;
    }

    if (!source || !(def->path = pfsXMLPropString(source, "path"))) {
        pfsReportErrorCode(PFS_ERR_XML_ERROR, "%s",
                           _("Missing source path attribute for char device"));
        return -1;
    }
    if (pfsXMLCheckElement(source, fileAttrs, NULL) < 0 ||
        pfsXMLPropTristateSwitch(source, "append", 0, &def->append) < 0)
        return -1;
    return 0;
}


static int
pfsDomainChrTargetParseXML(xmlNode *node, pfsDomainChrDef *def, bool console)
{
    static const char *const attrs[] = { "type", "port", NULL };
    static const char *const children[] = { "model", NULL };
    static const char *const modelAttrs[] = { "name", NULL };
    xmlNode *target = pfsXMLChild(node, "target");
    const char *wantType = console ? "serial" : "isa-serial";
    g_autofree char *type = NULL;
    xmlNode *model;

    def->port = G_MAXUINT;   /* assigned after parsing when absent */
    if (!target)
        return 0;
    if (pfsXMLCheckElement(target, attrs, console ? NULL : children) < 0)
        return -1;

    type = pfsXMLPropString(target, "type");
    if (type && strcmp(type, wantType) != 0) {
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                           _("target type '%s' of '%s' is not supported, only '%s'"),
                           type, (const char *)node->name, wantType);
        return -1;
    }

    if ((model = pfsXMLChild(target, "model"))) {
        g_autofree char *name = NULL;

        if (pfsXMLCheckElement(model, modelAttrs, NULL) < 0)
            return -1;
        name = pfsXMLPropString(model, "name");
        if (g_strcmp0(name, "isa-serial") != 0) {
            pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                               _("serial model '%s' is not supported, only 'isa-serial'"),
                               PFS_NULLSTR(name));
            return -1;
        }
    }

    return pfsXMLPropUInt(target, "port", 10, 0, &def->port) < 0 ? -1 : 0;
}


pfsDomainChrDef *
pfsDomainChrDefParseXML(xmlNode *node, bool console)
{
    static const char *const attrs[] = { "type", NULL };
    static const char *const children[] = { "source", "target", "alias", NULL };
    /* a console's identity is its serial port's */
    static const char *const consoleChildren[] = { "source", "target", NULL };
    g_autoptr(pfsDomainChrDef) def = g_new0(pfsDomainChrDef, 1);
    int val = PFS_DOMAIN_CHR_TYPE_PTY;

    if (pfsXMLCheckElement(node, attrs, console ? consoleChildren : children) < 0 ||
        pfsXMLCheckUniqueChildren(node) < 0)
        return NULL;
    if (pfsXMLPropEnum(node, "type", pfsDomainChrTypeFromString, 0, &val) < 0)
        return NULL;
    def->type = val;

    if (pfsDomainChrSourceParseXML(node, def) < 0 ||
        pfsDomainChrTargetParseXML(node, def, console) < 0 ||
        pfsDomainDeviceInfoParseXML(node, 0, &def->info) < 0)
        return NULL;
    return g_steal_pointer(&def);
}


void
pfsDomainChrDefFormat(pfsBuffer *buf, const pfsDomainChrDef *def, bool console)
{
    const char *elem = console ? "console" : "serial";

    pfsBufferAsprintf(buf, "<%s type='%s'>\n", elem,
                      pfsDomainChrTypeToString(def->type));
    pfsBufferAdjustIndent(buf, 2);
    if (def->path) {
        pfsBufferEscapeString(buf, "<source path='%s'", def->path);
        if (def->append)
            pfsBufferAsprintf(buf, " append='%s'",
                              pfsTristateSwitchTypeToString(def->append));
        pfsBufferAdd(buf, "/>\n");
    }
    if (console) {
        pfsBufferAsprintf(buf, "<target type='serial' port='%u'/>\n", def->port);
    } else {
        pfsBufferAsprintf(buf, "<target type='isa-serial' port='%u'>\n", def->port);
        pfsBufferAdd(buf, "  <model name='isa-serial'/>\n");
        pfsBufferAdd(buf, "</target>\n");
    }
    if (!console)
        pfsDomainDeviceInfoFormat(buf, &def->info);
    pfsBufferAdjustIndent(buf, -2);
    pfsBufferAsprintf(buf, "</%s>\n", elem);
}
