/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfserrorcode.h: errors that carry a libvirt-style category prefix
 *
 * libvirt users know messages such as "unsupported configuration: ...".
 * The domain XML and QEMU code report through pfsReportErrorCode() so
 * that the stored message starts with the same translated prefix.
 */
#pragma once

#include "pfsinternal.h"
#include "pfsenum.h"

typedef enum {
    PFS_ERR_INTERNAL_ERROR = 0,
    PFS_ERR_XML_ERROR,
    PFS_ERR_CONFIG_UNSUPPORTED,
    PFS_ERR_OPERATION_UNSUPPORTED,
    PFS_ERR_OPERATION_INVALID,
    PFS_ERR_NO_SOURCE,
    PFS_ERR_NO_TARGET,
    PFS_ERR_XML_DETAIL,
    PFS_ERR_LAST
} pfsErrorCode;

void pfsErrorCodeReportFull(pfsErrorCode code,
                            const char *funcname,
                            int linenr,
                            const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

#define pfsReportErrorCode(code, ...) \
    pfsErrorCodeReportFull(code, __func__, __LINE__, __VA_ARGS__)
