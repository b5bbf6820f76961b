/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfsuser.h: looking up users and groups by name or number
 */
#pragma once

#include "pfsinternal.h"

#include <sys/types.h>

/* @name is a user name or a decimal uid. Gives the uid and, if @gid is
 * not NULL, the user's primary group. Returns 0, or -1 with an error
 * reported that says how to create a missing user when @hint is set. */
int pfsUserLookup(const char *name, uid_t *uid, gid_t *gid, const char *hint);

/* @name is a group name or a decimal gid. Returns 0 or -1 (reported). */
int pfsGroupLookup(const char *name, gid_t *gid);
