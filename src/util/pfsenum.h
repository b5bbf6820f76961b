/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfsenum.h: tables that map enum values to strings and back
 *
 * PFS_ENUM_DECL(pfsFoo) in the header and
 * PFS_ENUM_IMPL(pfsFoo, PFS_FOO_LAST, "a", "b") in the source give
 * pfsFooTypeToString() and pfsFooTypeFromString(), and fail to compile
 * when the list and the enum disagree in length.
 */
#pragma once

#include "pfsinternal.h"

const char *pfsEnumToString(const char * const *types,
                            unsigned int ntypes,
                            int type);
int pfsEnumFromString(const char * const *types,
                      unsigned int ntypes,
                      const char *type);

#define PFS_ENUM_IMPL(name, lastVal, ...) \
    static const char *const name ## TypeList[] = { __VA_ARGS__ }; \
    const char *name ## TypeToString(int type) \
    { \
        return pfsEnumToString(name ## TypeList, \
                               G_N_ELEMENTS(name ## TypeList), type); \
    } \
    int name ## TypeFromString(const char *type) \
    { \
        return pfsEnumFromString(name ## TypeList, \
                                 G_N_ELEMENTS(name ## TypeList), type); \
    } \
    G_STATIC_ASSERT(G_N_ELEMENTS(name ## TypeList) == lastVal)

#define PFS_ENUM_DECL(name) \
    const char *name ## TypeToString(int type); \
    int name ## TypeFromString(const char *type)
