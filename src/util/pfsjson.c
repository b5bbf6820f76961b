/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfsjson.c: building one-line JSON objects with keys in insertion order
 */
#include "pfsinternal.h"

#include "pfsjson.h"

struct _pfsJSONObject {
    GString *members;   /* "key":value pairs, comma separated */
};


pfsJSONObject *
pfsJSONObjectNew(void)
{
    pfsJSONObject *obj = g_new0(pfsJSONObject, 1);

    obj->members = g_string_new(NULL);
    return obj;
}


void
pfsJSONObjectFree(pfsJSONObject *obj)
{
    if (!obj)
        return;
    g_string_free(obj->members, TRUE);
    g_free(obj);
}


static void
pfsJSONAppendQuoted(GString *out, const char *str)
{
    const unsigned char *p;

    g_string_append_c(out, '"');
    for (p = (const unsigned char *)str; *p; p++) {
        switch (*p) {
        case '"': g_string_append(out, "\\\""); break;
        case '\\': g_string_append(out, "\\\\"); break;
        case '\n': g_string_append(out, "\\n"); break;
        case '\r': g_string_append(out, "\\r"); break;
        case '\t': g_string_append(out, "\\t"); break;
        case '\b': g_string_append(out, "\\b"); break;
        case '\f': g_string_append(out, "\\f"); break;
        default:
            if (*p < 0x20)
                g_string_append_printf(out, "\\u%04x", *p);
            else
                g_string_append_c(out, *p);
            break;
        }
    }
    g_string_append_c(out, '"');
}


static void
pfsJSONAppendKey(pfsJSONObject *obj, const char *key)
{
    if (obj->members->len > 0)
        g_string_append_c(obj->members, ',');
    pfsJSONAppendQuoted(obj->members, key);
    g_string_append_c(obj->members, ':');
}


void
pfsJSONObjectAppendString(pfsJSONObject *obj, const char *key, const char *value)
{
    pfsJSONAppendKey(obj, key);
    pfsJSONAppendQuoted(obj->members, value);
}


void
pfsJSONObjectAppendNumber(pfsJSONObject *obj, const char *key, long long value)
{
    pfsJSONAppendKey(obj, key);
    g_string_append_printf(obj->members, "%lld", value);
}


void
pfsJSONObjectAppendNumberUnsigned(pfsJSONObject *obj, const char *key,
                                  unsigned long long value)
{
    pfsJSONAppendKey(obj, key);
    g_string_append_printf(obj->members, "%llu", value);
}


void
pfsJSONObjectAppendBool(pfsJSONObject *obj, const char *key, bool value)
{
    pfsJSONAppendKey(obj, key);
    g_string_append(obj->members, value ? "true" : "false");
}


char *
pfsJSONObjectFormat(const pfsJSONObject *obj)
{
    return g_strdup_printf("{%s}", obj->members->str);
}


void
pfsJSONObjectAppendNull(pfsJSONObject *obj, const char *key)
{
    pfsJSONAppendKey(obj, key);
    g_string_append(obj->members, "null");
}
