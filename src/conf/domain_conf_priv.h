/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain_conf_priv.h: the per-element parsers and formatters that
 * domain_parse.c and domain_format.c put together
 */
#pragma once

#include "pfsinternal.h"
#include "pfsbuffer.h"
#include "pfsxml.h"
#include "domain_conf.h"

typedef enum {
    PFS_DOMAIN_INFO_ALLOW_BOOT = 1 << 0,
    PFS_DOMAIN_INFO_ALLOW_PCI = 1 << 1,
    PFS_DOMAIN_INFO_ALLOW_DRIVE = 1 << 2,
} pfsDomainDeviceInfoFlags;

/* <alias>, <address> and <boot> of the device element @node. */
int pfsDomainDeviceInfoParseXML(xmlNode *node,
                                unsigned int flags,
                                pfsDomainDeviceInfo *info);
void pfsDomainDeviceInfoFormat(pfsBuffer *buf, const pfsDomainDeviceInfo *info);
/* End element @name, whose start tag is still open in @buf, for a device
 * whose only children are those of @info: "/>" when it has none. */
void pfsDomainDeviceInfoFormatEnd(pfsBuffer *buf,
                                  const char *name,
                                  const pfsDomainDeviceInfo *info);

/* iommu/ats/packed/page_per_vq of a <driver> element. */
int pfsDomainVirtioOptionsParseXML(xmlNode *driver, pfsDomainVirtioOptions *opts);
void pfsDomainVirtioOptionsFormat(pfsBuffer *buf, const pfsDomainVirtioOptions *opts);

/* The unsigned number that is the content of element @node, in the
 * unit of its optional unit='...' attribute (else @defaultScale bytes),
 * converted by pfsScaleInteger() to units of @resultScale bytes and
 * limited to @limit of them. Reports an error and returns -1 on a
 * malformed number, an unknown unit or a value over @limit. */
int pfsDomainParseScaledValue(xmlNode *node,
                              unsigned long long defaultScale,
                              unsigned long long resultScale,
                              unsigned long long limit,
                              unsigned long long *value);

/* The first child element of @node called @name, or NULL. */
xmlNode *pfsXMLChild(xmlNode *node, const char *name);

pfsDomainFSDef *pfsDomainFSDefParseXML(xmlNode *node);
void pfsDomainFSDefFormat(pfsBuffer *buf, const pfsDomainFSDef *def);

pfsDomainDiskDef *pfsDomainDiskDefParseXML(xmlNode *node);
void pfsDomainDiskDefFormat(pfsBuffer *buf, const pfsDomainDiskDef *def);

pfsDomainControllerDef *pfsDomainControllerDefParseXML(xmlNode *node);
void pfsDomainControllerDefFormat(pfsBuffer *buf, const pfsDomainControllerDef *def);

pfsDomainNetDef *pfsDomainNetDefParseXML(xmlNode *node);
void pfsDomainNetDefFormat(pfsBuffer *buf, const pfsDomainNetDef *def);

pfsDomainChrDef *pfsDomainChrDefParseXML(xmlNode *node, bool console);
void pfsDomainChrDefFormat(pfsBuffer *buf, const pfsDomainChrDef *def, bool console);

pfsDomainMemballoonDef *pfsDomainMemballoonDefParseXML(xmlNode *node);
void pfsDomainMemballoonDefFormat(pfsBuffer *buf, const pfsDomainMemballoonDef *def);

/* Defaults libvirt fills in after parsing (domain_postparse.c). */
int pfsDomainDefPostParse(pfsDomainDef *def);
