/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfsbuffer.c: a growing text buffer with indentation
 */
#include "pfsinternal.h"

#include <stdarg.h>
#include <string.h>

#include "pfsbuffer.h"

static void
pfsBufferEnsure(pfsBuffer *buf)
{
    if (!buf->str)
        buf->str = g_string_sized_new(256);
}


void
pfsBufferClear(pfsBuffer *buf)
{
    if (buf->str)
        g_string_free(buf->str, TRUE);
    buf->str = NULL;
    buf->indent = 0;
}


void
pfsBufferAdjustIndent(pfsBuffer *buf, int delta)
{
    buf->indent += delta;
    if (buf->indent < 0)
        buf->indent = 0;
}


static bool
pfsBufferAtLineStart(pfsBuffer *buf)
{
    return buf->str->len == 0 || buf->str->str[buf->str->len - 1] == '\n';
}


/* Append @len bytes of @text, indenting each line that starts in it. */
static void
pfsBufferAddLen(pfsBuffer *buf, const char *text, size_t len)
{
    size_t i = 0;

    pfsBufferEnsure(buf);
    while (i < len) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - text) + 1 : len;

        if (pfsBufferAtLineStart(buf) && text[i] != '\n')
            g_string_append_printf(buf->str, "%*s", buf->indent, "");
        g_string_append_len(buf->str, text + i, end - i);
        i = end;
    }
}


void
pfsBufferAdd(pfsBuffer *buf, const char *text)
{
    pfsBufferAddLen(buf, text, strlen(text));
}


void
pfsBufferAsprintf(pfsBuffer *buf, const char *fmt, ...)
{
    g_autofree char *text = NULL;
    va_list ap;

    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    pfsBufferAdd(buf, text);
}


void
pfsBufferEscapeString(pfsBuffer *buf, const char *fmt, const char *str)
{
    g_autoptr(GString) esc = g_string_new(NULL);
    const char *p;
    const char *mark = strstr(fmt, "%s");

    for (p = str; *p; p++) {
        switch (*p) {
        case '<': g_string_append(esc, "&lt;"); break;
        case '>': g_string_append(esc, "&gt;"); break;
        case '&': g_string_append(esc, "&amp;"); break;
        case '"': g_string_append(esc, "&quot;"); break;
        case '\'': g_string_append(esc, "&apos;"); break;
        default: g_string_append_c(esc, *p); break;
        }
    }

    if (!mark) {
        pfsBufferAdd(buf, fmt);
        return;
    }
    pfsBufferAddLen(buf, fmt, mark - fmt);
    pfsBufferAddLen(buf, esc->str, esc->len);
    pfsBufferAdd(buf, mark + 2);
}


void
pfsBufferAddBuffer(pfsBuffer *buf, pfsBuffer *child)
{
    if (child->str && child->str->len > 0)
        pfsBufferAddLen(buf, child->str->str, child->str->len);
    pfsBufferClear(child);
}


bool
pfsBufferIsEmpty(const pfsBuffer *buf)
{
    return !buf->str || buf->str->len == 0;
}


char *
pfsBufferContentAndReset(pfsBuffer *buf)
{
    char *ret;

    pfsBufferEnsure(buf);
    ret = g_string_free(buf->str, FALSE);
    buf->str = NULL;
    buf->indent = 0;
    return ret;
}
