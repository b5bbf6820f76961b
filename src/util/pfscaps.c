/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfscaps.c: narrowing a process's capabilities with libcap-ng
 */
#include "pfsinternal.h"

#include <cap-ng.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/securebits.h>
#include <grp.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "pfscaps.h"
#include "pfserror.h"

/* what pfsCapsSwitchUser() itself needs, on top of the ones to keep */
static const int pfsCapsSwitchCaps[] = { CAP_SETUID, CAP_SETGID, CAP_SETPCAP };

static const int pfsCapsHelperServe[] = {
    CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_FSETID,
    CAP_MKNOD,  /* last: only with allowDevices */
};

/* Make exactly @caps (and @extra, unless it is -1) the effective and
 * permitted sets; with @bounds, empty the bounding set too. */
static int
pfsCapsApply(const int *caps, size_t ncaps, const int *extra, size_t nextra,
             bool bounds)
{
    size_t i;
    int r;

    capng_clear(bounds ? CAPNG_SELECT_BOTH : CAPNG_SELECT_CAPS);
    for (i = 0; i < ncaps + nextra; i++) {
        int cap = i < ncaps ? caps[i] : extra[i - ncaps];

        if (capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, cap) < 0) {
            pfsReportError(_("cannot add capability %s to the set to keep"),
                           capng_capability_to_name(cap));
            return -1;
        }
    }
    if ((r = capng_apply(bounds ? CAPNG_SELECT_BOTH : CAPNG_SELECT_CAPS)) < 0) {
        pfsReportError(_("cannot change the capability sets (libcap-ng error %d)"), r);
        return -1;
    }
    return 0;
}


int
pfsCapsSwitchUser(uid_t uid, gid_t gid, const int *caps, size_t ncaps)
{
    const int setpcap[] = { CAP_SETPCAP };
    int bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
               SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED |
               SECBIT_KEEP_CAPS | SECBIT_KEEP_CAPS_LOCKED |
               SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;

    /* 1. While still root: only what follows needs, and an empty
     *    bounding set (dropping from it needs CAP_SETPCAP). */
    if (pfsCapsApply(caps, ncaps, pfsCapsSwitchCaps, G_N_ELEMENTS(pfsCapsSwitchCaps), true) < 0)
        return -1;

    /* 2. Groups first (it needs CAP_SETGID), then the uid, keeping the
     *    permitted set across it; the effective set is cleared. */
    if (setgroups(0, NULL) < 0) {
        pfsReportSystemError(errno, _("cannot drop the supplementary groups"));
        return -1;
    }
    if (setresgid(gid, gid, gid) < 0) {
        pfsReportSystemError(errno, _("cannot switch to gid %u"), (unsigned int)gid);
        return -1;
    }
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) {
        pfsReportSystemError(errno, _("cannot keep capabilities across the uid switch"));
        return -1;
    }
    if (setresuid(uid, uid, uid) < 0) {
        pfsReportSystemError(errno, _("cannot switch to uid %u"), (unsigned int)uid);
        return -1;
    }

    /* 3. CAP_SETPCAP once more, only to lock the securebits: no uid
     *    change can bring root's capabilities back, none can be raised
     *    into the ambient set, none survives an execve. */
    if (pfsCapsApply(caps, ncaps, setpcap, 1, false) < 0)
        return -1;
    if (prctl(PR_SET_SECUREBITS, bits, 0, 0, 0) < 0) {
        pfsReportSystemError(errno, _("cannot lock the securebits"));
        return -1;
    }
    if (prctl(PR_GET_SECUREBITS, 0, 0, 0, 0) != bits) {
        pfsReportError(_("the securebits did not stick"));
        return -1;
    }

    /* 4. The runtime set alone; nothing inheritable, nothing ambient. */
    if (pfsCapsApply(caps, ncaps, NULL, 0, false) < 0)
        return -1;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) {
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


static guint64
pfsCapsMask(const int *caps, size_t ncaps)
{
    guint64 mask = 0;
    size_t i;

    for (i = 0; i < ncaps; i++)
        mask |= 1ULL << caps[i];
    return mask;
}


const int *
pfsCapsHelperServing(bool allowDevices, size_t *ncaps)
{
    *ncaps = G_N_ELEMENTS(pfsCapsHelperServe) - (allowDevices ? 0 : 1);
    return pfsCapsHelperServe;
}


guint64
pfsCapsHelperServingMask(bool allowDevices)
{
    size_t ncaps;
    const int *caps = pfsCapsHelperServing(allowDevices, &ncaps);

    return pfsCapsMask(caps, ncaps);
}


guint64
pfsCapsHelperStartMask(bool allowDevices)
{
    return pfsCapsHelperServingMask(allowDevices) |
        pfsCapsMask(pfsCapsSwitchCaps, G_N_ELEMENTS(pfsCapsSwitchCaps)) |
        1ULL << CAP_SYS_ADMIN;  /* unshare, mount, pivot_root (proxyfs_sandbox.c) */
}
