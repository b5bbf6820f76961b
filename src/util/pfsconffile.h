/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfsconffile.h: configuration files in the syntax of libvirt's qemu.conf
 *
 *   # a comment
 *   user = "virt-proxyfs-qemu"
 *   shutdown_timeout = 30
 *
 * One setting per line: a name, "=", and a double-quoted string (with
 * \" and \\ escapes) or a non-negative integer. Unknown names and
 * repeated names are errors, so that a typing mistake is never ignored.
 */
#pragma once

#include "pfsinternal.h"

typedef enum {
    PFS_CONF_STRING = 0,
    PFS_CONF_UINT,

    PFS_CONF_LAST
} pfsConfType;

/* What a file may contain: the setting @name of @type is stored in
 * *(char **)@dest (replacing and freeing what was there) or
 * *(unsigned int *)@dest. */
typedef struct _pfsConfSetting pfsConfSetting;
struct _pfsConfSetting {
    const char *name;
    pfsConfType type;
    void *dest;
};

/* Read @path and store its settings. A missing file is not an error
 * when @optional. Returns 0, or -1 with an error naming the file and
 * line. */
int pfsConfFileLoad(const char *path, bool optional,
                    const pfsConfSetting *settings, size_t nsettings);
