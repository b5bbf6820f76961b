/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfsxml.c: reading XML documents with libxml2 and XPath
 */
#include "pfsinternal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pfsenum.h"
#include "pfserrorcode.h"
#include "pfsxml.h"

PFS_ENUM_IMPL(pfsTristateSwitch, PFS_TRISTATE_SWITCH_LAST,
              "default", "on", "off");


/* libxml2 calls this for every problem it finds; the first one is kept
 * as the project's error, with the position libxml2 knows. */
static void
pfsXMLErrorHandler(void *data, xmlError *err)
{
    bool *reported = data;
    g_autofree char *msg = NULL;

    if (*reported || !err || !err->message)
        return;
    *reported = true;
    msg = g_strstrip(g_strdup(err->message));
    if (err->file && err->line > 0)
        pfsReportErrorCode(PFS_ERR_XML_ERROR, "%s:%d: %s",
                           err->file, err->line, msg);
    else if (err->line > 0)
        pfsReportErrorCode(PFS_ERR_XML_ERROR, _("line %d: %s"),
                           err->line, msg);
    else
        pfsReportErrorCode(PFS_ERR_XML_ERROR, "%s", msg);
}


xmlDoc *
pfsXMLParse(const char *filename,
            const char *str,
            const char *rootName,
            xmlXPathContext **ctxt)
{
    g_autoptr(xmlDoc) doc = NULL;
    xmlParserCtxtPtr pctxt;
    xmlNode *root;
    bool reported = false;
    /* never fetch anything from the network, never expand external
     * entities: a domain document stands alone */
    int opts = XML_PARSE_NONET | XML_PARSE_NOWARNING;

    if (!(pctxt = xmlNewParserCtxt())) {
        pfsReportErrorCode(PFS_ERR_INTERNAL_ERROR, "%s",
                           _("failed to allocate the XML parser"));
        return NULL;
    }
    /* libxml2 2.9 has no per-context structured handler; the global
     * one is set just for this parse */
    xmlSetStructuredErrorFunc(&reported, pfsXMLErrorHandler);
    if (str)
        doc = xmlCtxtReadDoc(pctxt, BAD_CAST str, filename ? filename : "domain.xml",
                             NULL, opts);
    else
        doc = xmlCtxtReadFile(pctxt, filename, NULL, opts);
    xmlFreeParserCtxt(pctxt);
    xmlSetStructuredErrorFunc(NULL, NULL);

    if (!doc) {
        if (!reported) {
            if (filename && !str)
                pfsReportErrorCode(PFS_ERR_XML_ERROR,
                                   _("failed to parse XML document '%s'"),
                                   filename);
            else
                pfsReportErrorCode(PFS_ERR_XML_ERROR, "%s",
                                   _("failed to parse XML document"));
        }
        return NULL;
    }

    if (!(root = xmlDocGetRootElement(doc))) {
        pfsReportErrorCode(PFS_ERR_XML_ERROR, "%s", _("missing root element"));
        return NULL;
    }
    if (rootName && !xmlStrEqual(root->name, BAD_CAST rootName)) {
        pfsReportErrorCode(PFS_ERR_XML_ERROR,
                           _("expecting root element of '%s', not '%s'"),
                           rootName, (const char *)root->name);
        return NULL;
    }

    if (ctxt) {
        if (!(*ctxt = xmlXPathNewContext(doc))) {
            pfsReportErrorCode(PFS_ERR_INTERNAL_ERROR, "%s",
                               _("failed to allocate an XPath context"));
            return NULL;
        }
        (*ctxt)->node = root;
    }
    return g_steal_pointer(&doc);
}


static xmlXPathObject *
pfsXPathEval(const char *xpath, xmlXPathContext *ctxt)
{
    return xmlXPathEval(BAD_CAST xpath, ctxt);
}


char *
pfsXPathString(const char *xpath, xmlXPathContext *ctxt)
{
    g_autoptr(xmlXPathObject) obj = pfsXPathEval(xpath, ctxt);

    if (!obj || obj->type != XPATH_STRING || !obj->stringval ||
        obj->stringval[0] == '\0')
        return NULL;
    return g_strdup((const char *)obj->stringval);
}


xmlNode *
pfsXPathNode(const char *xpath, xmlXPathContext *ctxt)
{
    g_autoptr(xmlXPathObject) obj = pfsXPathEval(xpath, ctxt);

    if (!obj || obj->type != XPATH_NODESET || !obj->nodesetval ||
        obj->nodesetval->nodeNr <= 0)
        return NULL;
    return obj->nodesetval->nodeTab[0];
}


int
pfsXPathNodeSet(const char *xpath, xmlXPathContext *ctxt, xmlNode ***list)
{
    g_autoptr(xmlXPathObject) obj = pfsXPathEval(xpath, ctxt);
    int n;

    *list = NULL;
    if (!obj) {
        pfsReportErrorCode(PFS_ERR_INTERNAL_ERROR,
                           _("failed to evaluate XPath '%s'"), xpath);
        return -1;
    }
    if (obj->type != XPATH_NODESET || !obj->nodesetval)
        return 0;
    n = obj->nodesetval->nodeNr;
    if (n > 0) {
        *list = g_new0(xmlNode *, n);
        memcpy(*list, obj->nodesetval->nodeTab, n * sizeof(xmlNode *));
    }
    return n;
}


char *
pfsXMLPropString(xmlNode *node, const char *name)
{
    xmlChar *val = xmlGetNoNsProp(node, BAD_CAST name);
    char *ret;

    if (!val)
        return NULL;
    ret = g_strdup((const char *)val);
    xmlFree(val);
    return ret;
}


char *
pfsXMLNodeContent(xmlNode *node)
{
    xmlChar *val = xmlNodeGetContent(node);
    char *ret;

    if (!val)
        return g_strdup("");
    ret = g_strdup((const char *)val);
    xmlFree(val);
    return ret;
}


/* Common start of the typed readers: 0 absent, 1 present, -1 error. */
static int
pfsXMLPropGet(xmlNode *node,
              const char *name,
              pfsXMLPropFlags flags,
              char **value)
{
    if (!(*value = pfsXMLPropString(node, name))) {
        if (flags & PFS_XML_PROP_REQUIRED) {
            pfsReportErrorCode(PFS_ERR_XML_ERROR,
                               _("Missing required attribute '%s' in element '%s'"),
                               name, (const char *)node->name);
            return -1;
        }
        return 0;
    }
    return 1;
}


static void
pfsXMLPropInvalid(xmlNode *node, const char *name, const char *value)
{
    pfsReportErrorCode(PFS_ERR_XML_ERROR,
                       _("Invalid value for attribute '%s' in element '%s': '%s'."),
                       name, (const char *)node->name, value);
}


int
pfsXMLPropEnum(xmlNode *node,
               const char *name,
               int (*fromString)(const char *),
               pfsXMLPropFlags flags,
               int *result)
{
    g_autofree char *value = NULL;
    int rc;
    int val;

    if ((rc = pfsXMLPropGet(node, name, flags, &value)) <= 0)
        return rc;

    val = fromString(value);
    if (val < 0 || ((flags & PFS_XML_PROP_NONZERO) && val == 0)) {
        pfsXMLPropInvalid(node, name, value);
        return -1;
    }
    *result = val;
    return 1;
}


int
pfsXMLPropUInt(xmlNode *node,
               const char *name,
               int base,
               pfsXMLPropFlags flags,
               unsigned int *result)
{
    g_autofree char *value = NULL;
    unsigned long long val;
    char *end = NULL;
    int rc;

    if ((rc = pfsXMLPropGet(node, name, flags, &value)) <= 0)
        return rc;

    errno = 0;
    if (value[0] == '-' || value[0] == '+' || g_ascii_isspace(value[0]))
        goto invalid;
    val = g_ascii_strtoull(value, &end, base);
    if (errno != 0 || end == value || *end != '\0' || val > G_MAXUINT)
        goto invalid;
    if ((flags & PFS_XML_PROP_NONZERO) && val == 0)
        goto invalid;
    *result = val;
    return 1;

 invalid:
    pfsReportErrorCode(PFS_ERR_XML_ERROR,
                       _("Invalid value for attribute '%s' in element '%s': '%s'. Expected non-negative integer value"),
                       name, (const char *)node->name, value);
    return -1;
}


int
pfsXMLPropTristateSwitch(xmlNode *node,
                         const char *name,
                         pfsXMLPropFlags flags,
                         pfsTristateSwitch *result)
{
    int val = PFS_TRISTATE_SWITCH_ABSENT;
    int rc;

    rc = pfsXMLPropEnum(node, name, pfsTristateSwitchTypeFromString,
                        flags | PFS_XML_PROP_NONZERO, &val);
    if (rc > 0)
        *result = val;
    return rc;
}


static bool
pfsXMLNameInList(const xmlChar *name, const char *const *list)
{
    size_t i;

    for (i = 0; list && list[i]; i++) {
        if (xmlStrEqual(name, BAD_CAST list[i]))
            return true;
    }
    return false;
}


int
pfsXMLCheckElement(xmlNode *node,
                   const char *const *attrs,
                   const char *const *children)
{
    xmlAttr *attr;
    xmlNode *child;

    for (attr = node->properties; attr; attr = attr->next) {
        if (!pfsXMLNameInList(attr->name, attrs)) {
            pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                               _("attribute '%s' of element '%s' is not supported"),
                               (const char *)attr->name,
                               (const char *)node->name);
            return -1;
        }
    }

    for (child = node->children; child; child = child->next) {
        if (child->type != XML_ELEMENT_NODE)
            continue;
        if (!pfsXMLNameInList(child->name, children)) {
            pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                               _("element '%s' in '%s' is not supported"),
                               (const char *)child->name,
                               (const char *)node->name);
            return -1;
        }
    }
    return 0;
}


int
pfsXMLCheckUniqueChildren(xmlNode *node)
{
    xmlNode *a;
    xmlNode *b;

    for (a = node->children; a; a = a->next) {
        if (a->type != XML_ELEMENT_NODE)
            continue;
        for (b = a->next; b; b = b->next) {
            if (b->type == XML_ELEMENT_NODE && xmlStrEqual(a->name, b->name)) {
                pfsReportErrorCode(PFS_ERR_XML_ERROR,
                                   _("element '%s' may appear only once in '%s'"),
                                   (const char *)a->name,
                                   (const char *)node->name);
                return -1;
            }
        }
    }
    return 0;
}


#include <libxml/relaxng.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlRelaxNGParserCtxt, xmlRelaxNGFreeParserCtxt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlRelaxNG, xmlRelaxNGFree);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlRelaxNGValidCtxt, xmlRelaxNGFreeValidCtxt);

/* Collects libxml2's messages, "file:line: text", one per line. */
static void
pfsXMLRNGErrorHandler(void *data, xmlError *err)
{
    GString *msgs = data;
    g_autofree char *msg = NULL;

    if (!err || !err->message)
        return;
    msg = g_strstrip(g_strdup(err->message));
    if (msgs->len > 0)
        g_string_append_c(msgs, '\n');
    if (err->line > 0)
        g_string_append_printf(msgs, "%s:%d: %s",
                               err->file ? err->file : "-", err->line, msg);
    else
        g_string_append(msgs, msg);
}


int
pfsXMLValidateRNG(const char *schemaPath, xmlDoc *doc)
{
    g_autoptr(xmlRelaxNGParserCtxt) pctxt = NULL;
    g_autoptr(xmlRelaxNG) schema = NULL;
    g_autoptr(xmlRelaxNGValidCtxt) vctxt = NULL;
    g_autoptr(GString) msgs = g_string_new(NULL);
    int rc;

    if (!(pctxt = xmlRelaxNGNewParserCtxt(schemaPath))) {
        pfsReportErrorCode(PFS_ERR_INTERNAL_ERROR,
                           _("cannot read the schema '%s'"), schemaPath);
        return -1;
    }
    xmlRelaxNGSetParserStructuredErrors(pctxt, pfsXMLRNGErrorHandler, msgs);
    if (!(schema = xmlRelaxNGParse(pctxt))) {
        pfsReportErrorCode(PFS_ERR_INTERNAL_ERROR,
                           _("failed to compile the schema '%s': %s"),
                           schemaPath, msgs->str);
        return -1;
    }

    if (!(vctxt = xmlRelaxNGNewValidCtxt(schema))) {
        pfsReportErrorCode(PFS_ERR_INTERNAL_ERROR, "%s",
                           _("failed to allocate a schema validation context"));
        return -1;
    }
    xmlRelaxNGSetValidStructuredErrors(vctxt, pfsXMLRNGErrorHandler, msgs);
    rc = xmlRelaxNGValidateDoc(vctxt, doc);
    if (rc != 0) {
        pfsReportErrorCode(PFS_ERR_XML_DETAIL,
                           _("XML document failed to validate against schema: Unable to validate doc against %s\n%s"),
                           schemaPath, msgs->str);
        return -1;
    }
    return 0;
}
