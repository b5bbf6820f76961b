/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfsinternal.h: definitions every source file of the project includes first
 */
#pragma once

#include "config.h"

#include <glib.h>
#include <glib/gi18n-lib.h>
#include <stdbool.h>

/* Number of elements of a true array (not a pointer). */
#define PFS_N_ELEMENTS(array) G_N_ELEMENTS(array)

/* Return "<null>" for a NULL string so messages never print "(null)". */
#define PFS_NULLSTR(s) ((s) ? (s) : "<null>")

#define PFS_STATIC_ASSERT(cond, msg) G_STATIC_ASSERT(cond)
