/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfsenum.c: enum <-> string tables
 */
#include "pfsinternal.h"

#include <string.h>

#include "pfsenum.h"

const char *
pfsEnumToString(const char * const *types,
                unsigned int ntypes,
                int type)
{
    if (type < 0 || (unsigned int)type >= ntypes)
        return NULL;
    return types[type];
}


int
pfsEnumFromString(const char * const *types,
                  unsigned int ntypes,
                  const char *type)
{
    unsigned int i;

    if (!type)
        return -1;
    for (i = 0; i < ntypes; i++) {
        if (types[i] && strcmp(types[i], type) == 0)
            return i;
    }
    return -1;
}
