/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfsuuid.c: UUIDs as 16 raw bytes
 */
#include "pfsinternal.h"

#include <stdio.h>
#include <string.h>

#include "pfsrandom.h"
#include "pfsuuid.h"

int
pfsUUIDParse(const char *str, unsigned char *uuid)
{
    size_t len = strlen(str);
    size_t i;
    size_t n = 0;
    bool dashed = len == 36;

    if (len != 36 && len != 32)
        return -1;

    for (i = 0; i < len; ) {
        int hi;
        int lo;

        if (dashed && (i == 8 || i == 13 || i == 18 || i == 23)) {
            if (str[i] != '-')
                return -1;
            i++;
            continue;
        }
        hi = g_ascii_xdigit_value(str[i]);
        lo = g_ascii_xdigit_value(str[i + 1]);
        if (hi < 0 || lo < 0 || n >= PFS_UUID_BUFLEN)
            return -1;
        uuid[n++] = (hi << 4) | lo;
        i += 2;
    }
    return n == PFS_UUID_BUFLEN ? 0 : -1;
}


void
pfsUUIDFormat(const unsigned char *uuid, char *str)
{
    snprintf(str, PFS_UUID_STRING_BUFLEN,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             uuid[0], uuid[1], uuid[2], uuid[3], uuid[4], uuid[5],
             uuid[6], uuid[7], uuid[8], uuid[9], uuid[10], uuid[11],
             uuid[12], uuid[13], uuid[14], uuid[15]);
}


void
pfsUUIDGenerate(unsigned char *uuid)
{
    pfsRandomBytes(uuid, PFS_UUID_BUFLEN);
    uuid[6] = (uuid[6] & 0x0f) | 0x40;   /* version 4 */
    uuid[8] = (uuid[8] & 0x3f) | 0x80;   /* RFC 4122 variant */
}
