/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfsjson.h: building one-line JSON objects with keys in insertion order
 *
 * QEMU's -device/-blockdev/-netdev take JSON objects; golden tests need
 * the keys in a fixed order, which a hash-based JSON library would not
 * keep, so the object is serialised as it is built.
 */
#pragma once

#include "pfsinternal.h"

typedef struct _pfsJSONObject pfsJSONObject;

pfsJSONObject *pfsJSONObjectNew(void);
void pfsJSONObjectFree(pfsJSONObject *obj);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(pfsJSONObject, pfsJSONObjectFree);

void pfsJSONObjectAppendString(pfsJSONObject *obj, const char *key, const char *value);
void pfsJSONObjectAppendNumber(pfsJSONObject *obj, const char *key, long long value);
void pfsJSONObjectAppendNumberUnsigned(pfsJSONObject *obj, const char *key,
                                       unsigned long long value);
void pfsJSONObjectAppendBool(pfsJSONObject *obj, const char *key, bool value);

/* The serialised object "{...}", owned by the caller. */
char *pfsJSONObjectFormat(const pfsJSONObject *obj);
void pfsJSONObjectAppendNull(pfsJSONObject *obj, const char *key);
