/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfscaps.c: narrowing a process's capabilities with libcap-ng
 */
#include "pfsinternal.h"

#include <cap-ng.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "pfscaps.h"
#include "pfserror.h"

int
pfsCapsLimit(const int *caps, size_t ncaps)
{
    size_t i;
    int r;

    capng_clear(CAPNG_SELECT_BOTH);
    for (i = 0; i < ncaps; i++) {
        if (capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
                         caps[i]) < 0) {
            pfsReportError(_("cannot add capability %s to the set to keep"),
                           capng_capability_to_name(caps[i]));
            return -1;
        }
    }
    /* the sets and the (now empty) bounding set together; libcap-ng
     * fails, instead of silently skipping the bounding set, when
     * CAP_SETPCAP is missing */
    if ((r = capng_apply(CAPNG_SELECT_BOTH)) < 0) {
        pfsReportError(_("cannot drop capabilities (libcap-ng error %d)"), r);
        return -1;
    }
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 &&
        errno != EINVAL) {
        pfsReportSystemError(errno, _("cannot clear the ambient capabilities"));
        return -1;
    }
    return 0;
}


int
pfsCapsGetEffective(guint64 *mask)
{
    g_autofree char *status = NULL;
    char *line;

    if (!g_file_get_contents("/proc/self/status", &status, NULL, NULL)) {
        pfsReportError(_("cannot read /proc/self/status"));
        return -1;
    }
    if (!(line = strstr(status, "\nCapEff:")) ||
        sscanf(line + strlen("\nCapEff:"), "%" G_GINT64_MODIFIER "x", mask) != 1) {
        pfsReportError(_("no effective capabilities in /proc/self/status"));
        return -1;
    }
    return 0;
}
