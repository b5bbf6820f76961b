/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfserrorcode.c: errors that carry a libvirt-style category prefix
 */
#include "pfsinternal.h"

#include <stdarg.h>
#include <stdio.h>

#include "pfserror.h"
#include "pfserrorcode.h"

/* The category texts, in the words libvirt uses for the same codes.
 * NO_SOURCE and NO_TARGET take the message as their argument. */
static const char *
pfsErrorCodePrefix(pfsErrorCode code)
{
    switch (code) {
    case PFS_ERR_INTERNAL_ERROR:
        return _("internal error: %s");
    case PFS_ERR_XML_ERROR:
        return _("XML error: %s");
    case PFS_ERR_CONFIG_UNSUPPORTED:
        return _("unsupported configuration: %s");
    case PFS_ERR_OPERATION_UNSUPPORTED:
        return _("Operation not supported: %s");
    case PFS_ERR_OPERATION_INVALID:
        return _("Requested operation is not valid: %s");
    case PFS_ERR_NO_SOURCE:
        return _("missing source information for device %s");
    case PFS_ERR_NO_TARGET:
        return _("missing target information for device %s");
    case PFS_ERR_XML_DETAIL:
        return "%s";
    case PFS_ERR_LAST:
        break;
    }
    return "%s";
}


void
pfsErrorCodeReportFull(pfsErrorCode code,
                       const char *funcname,
                       int linenr,
                       const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    pfsErrorReportFull(0, funcname, linenr, pfsErrorCodePrefix(code), msg);
#pragma GCC diagnostic pop
}
