/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfsbuffer.h: a growing text buffer with indentation, for formatting XML
 *
 * Every line written starts with the current indentation, so nested
 * formatters only adjust the indent and never count spaces themselves.
 */
#pragma once

#include "pfsinternal.h"

typedef struct _pfsBuffer pfsBuffer;
struct _pfsBuffer {
    GString *str;
    int indent;
};

#define PFS_BUFFER_INITIALIZER { NULL, 0 }

void pfsBufferClear(pfsBuffer *buf);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(pfsBuffer, pfsBufferClear);

void pfsBufferAdjustIndent(pfsBuffer *buf, int delta);

/* Append text; indentation is added when the buffer is at a line start. */
void pfsBufferAdd(pfsBuffer *buf, const char *text);
void pfsBufferAsprintf(pfsBuffer *buf, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

/* Append @fmt with its single %s replaced by @str escaped for XML text
 * and attribute values (both quote characters are escaped). */
void pfsBufferEscapeString(pfsBuffer *buf, const char *fmt, const char *str);

/* Append the content of @child (which keeps its own relative indent)
 * and clear it. */
void pfsBufferAddBuffer(pfsBuffer *buf, pfsBuffer *child);

bool pfsBufferIsEmpty(const pfsBuffer *buf);

/* The content, transferred to the caller; the buffer is left empty. */
char *pfsBufferContentAndReset(pfsBuffer *buf);
