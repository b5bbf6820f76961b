/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfsxml.h: reading XML documents with libxml2 and XPath
 *
 * The helpers report libvirt-style messages ("XML error: ...") so that
 * every parser in the project words the same problem the same way.
 */
#pragma once

#include "pfsinternal.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlXPathContext, xmlXPathFreeContext);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlXPathObject, xmlXPathFreeObject);

typedef enum {
    PFS_TRISTATE_SWITCH_ABSENT = 0,
    PFS_TRISTATE_SWITCH_ON,
    PFS_TRISTATE_SWITCH_OFF,

    PFS_TRISTATE_SWITCH_LAST
} pfsTristateSwitch;

const char *pfsTristateSwitchTypeToString(int type);
int pfsTristateSwitchTypeFromString(const char *type);

typedef enum {
    PFS_XML_PROP_NONE = 0,
    PFS_XML_PROP_REQUIRED = 1 << 0,  /* absent is an error */
    PFS_XML_PROP_NONZERO = 1 << 1,   /* value 0 (the "default") is an error */
} pfsXMLPropFlags;

/* Parse @filename (when @str is NULL) or @str, check the root element is
 * @rootName and give an XPath context whose node is the root. */
xmlDoc *pfsXMLParse(const char *filename,
                    const char *str,
                    const char *rootName,
                    xmlXPathContext **ctxt);

/* Evaluate @xpath relative to ctxt->node. */
char *pfsXPathString(const char *xpath, xmlXPathContext *ctxt);
xmlNode *pfsXPathNode(const char *xpath, xmlXPathContext *ctxt);
/* Returns the number of nodes (0 and *list NULL when none), -1 on error. */
int pfsXPathNodeSet(const char *xpath, xmlXPathContext *ctxt, xmlNode ***list);

char *pfsXMLPropString(xmlNode *node, const char *name);
char *pfsXMLNodeContent(xmlNode *node);

/* The typed property readers return 1 when the attribute was present
 * and valid, 0 when absent (and not required), -1 after reporting. */
int pfsXMLPropEnum(xmlNode *node,
                   const char *name,
                   int (*fromString)(const char *),
                   pfsXMLPropFlags flags,
                   int *result);
int pfsXMLPropUInt(xmlNode *node,
                   const char *name,
                   int base,
                   pfsXMLPropFlags flags,
                   unsigned int *result);
int pfsXMLPropTristateSwitch(xmlNode *node,
                             const char *name,
                             pfsXMLPropFlags flags,
                             pfsTristateSwitch *result);

/* Refuse anything the project does not model: every attribute of
 * @node must be in @attrs and every child element in @children
 * (NULL-terminated lists; NULL means none allowed). */
int pfsXMLCheckElement(xmlNode *node,
                       const char *const *attrs,
                       const char *const *children);

/* The element names of @node's children must each appear at most once. */
int pfsXMLCheckUniqueChildren(xmlNode *node);

/* Validate @doc against the RELAX NG schema in @schemaPath. Reports
 * every problem libxml2 found, one per line, and returns -1 when the
 * document does not validate or the schema does not load. */
int pfsXMLValidateRNG(const char *schemaPath, xmlDoc *doc);
