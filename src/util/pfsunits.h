/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfsunits.h: sizes with units, as in libvirt's <memory unit='MiB'>
 */
#pragma once

#include "pfsinternal.h"

/* Multiply @value (in units of @unit, or of @defaultScale bytes when
 * @unit is NULL) into bytes, then divide by @resultScale rounding up.
 * Fails, with an error reported, on an unknown unit or when the result
 * would exceed @limit (in @resultScale units). */
int pfsScaleInteger(unsigned long long *value,
                    const char *unit,
                    unsigned long long defaultScale,
                    unsigned long long resultScale,
                    unsigned long long limit);
