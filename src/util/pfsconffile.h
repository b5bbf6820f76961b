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
 *
 * PFS_CONF_FILE_LENIENT reads a file that belongs to another program
 * (libvirt's own qemu.conf) for the few settings we share with it: the
 * names we do not know are skipped with their values, whatever their
 * type (strings in single, double or triple quotes, integers, lists
 * over several lines), and a name set twice keeps its first value, as
 * libvirt does.
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

typedef enum {
    PFS_CONF_FILE_OPTIONAL = 1 << 0,    /* a missing file is no error */
    PFS_CONF_FILE_LENIENT = 1 << 1,     /* another program's file (above) */
} pfsConfFileFlags;

/* Read @path and store its settings; @flags is a mask of
 * pfsConfFileFlags. Returns 0, or -1 with an error naming the file and
 * line. */
int pfsConfFileLoad(const char *path, unsigned int flags,
                    const pfsConfSetting *settings, size_t nsettings);
