/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfsunits.c: sizes with units
 */
#include "pfsinternal.h"

#include <string.h>

#include "pfserrorcode.h"
#include "pfsunits.h"

/* The spellings libvirt documents for scaled integers: b/bytes, then
 * k/KiB, KB (1000), M/MiB, MB, ... up to E. */
static int
pfsUnitScale(const char *unit, unsigned long long *scale)
{
    static const char prefixes[] = "KMGTPE";
    const char *p;
    size_t len = strlen(unit);
    unsigned long long base;
    int power;
    int i;

    if (len == 0 || g_ascii_strcasecmp(unit, "b") == 0 ||
        g_ascii_strcasecmp(unit, "bytes") == 0) {
        *scale = 1;
        return 0;
    }

    if (!(p = strchr(prefixes, g_ascii_toupper(unit[0]))))
        return -1;
    power = (p - prefixes) + 1;

    if (len == 1)
        base = 1024;
    else if (len == 2 && g_ascii_toupper(unit[1]) == 'B')
        base = 1000;
    else if (len == 3 && unit[1] == 'i' && g_ascii_toupper(unit[2]) == 'B')
        base = 1024;
    else
        return -1;

    *scale = 1;
    for (i = 0; i < power; i++)
        *scale *= base;
    return 0;
}


int
pfsScaleInteger(unsigned long long *value,
                const char *unit,
                unsigned long long defaultScale,
                unsigned long long resultScale,
                unsigned long long limit)
{
    unsigned long long scale = defaultScale;
    unsigned long long bytes;

    if (unit && pfsUnitScale(unit, &scale) < 0) {
        pfsReportErrorCode(PFS_ERR_XML_ERROR, _("unknown suffix '%s'"), unit);
        return -1;
    }

    if (*value > G_MAXUINT64 / scale) {
        pfsReportErrorCode(PFS_ERR_XML_ERROR,
                           _("value too large: %llu%s"), *value, unit ? unit : "");
        return -1;
    }
    bytes = *value * scale;
    bytes = bytes / resultScale + (bytes % resultScale ? 1 : 0);
    if (bytes > limit) {
        pfsReportErrorCode(PFS_ERR_XML_ERROR,
                           _("value too large: %llu%s"), *value, unit ? unit : "");
        return -1;
    }
    *value = bytes;
    return 0;
}
