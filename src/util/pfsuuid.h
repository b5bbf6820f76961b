/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfsuuid.h: UUIDs as 16 raw bytes, parsed from and formatted to text
 */
#pragma once

#include "pfsinternal.h"

#define PFS_UUID_BUFLEN 16
#define PFS_UUID_STRING_BUFLEN 37   /* 36 characters and the NUL */

/* Accepts the usual 8-4-4-4-12 form and the 32 hex digits without
 * dashes, in either case. Returns 0, or -1 (nothing reported). */
int pfsUUIDParse(const char *str, unsigned char *uuid);

/* Lower case 8-4-4-4-12 form into @str. */
void pfsUUIDFormat(const unsigned char *uuid, char *str);

/* A random (version 4) UUID. */
void pfsUUIDGenerate(unsigned char *uuid);
