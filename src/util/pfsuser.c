/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfsuser.c: looking up users and groups by name or number
 */
#include "pfsinternal.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>

#include "pfserror.h"
#include "pfsuser.h"

static bool
pfsParseId(const char *str, unsigned int *id)
{
    guint64 val;

    if (!g_ascii_string_to_unsigned(str, 10, 0, G_MAXUINT32 - 1, &val, NULL))
        return false;
    *id = val;
    return true;
}


int
pfsUserLookup(const char *name, uid_t *uid, gid_t *gid, const char *hint)
{
    struct passwd pwbuf;
    struct passwd *pw = NULL;
    char buf[4096];
    unsigned int id;
    int r;

    if (pfsParseId(name, &id)) {
        *uid = id;
        if (!gid)
            return 0;
        /* a bare uid may have no passwd entry: then its group is its uid */
        r = getpwuid_r(id, &pwbuf, buf, sizeof(buf), &pw);
        *gid = (r == 0 && pw) ? pw->pw_gid : id;
        return 0;
    }

    r = getpwnam_r(name, &pwbuf, buf, sizeof(buf), &pw);
    if (r != 0) {
        pfsReportSystemError(r, _("cannot look up user '%s'"), name);
        return -1;
    }
    if (!pw) {
        if (hint)
            pfsReportError(_("user '%s' does not exist; %s"), name, hint);
        else
            pfsReportError(_("user '%s' does not exist"), name);
        return -1;
    }
    *uid = pw->pw_uid;
    if (gid)
        *gid = pw->pw_gid;
    return 0;
}


int
pfsGroupLookup(const char *name, gid_t *gid)
{
    struct group grbuf;
    struct group *gr = NULL;
    char buf[4096];
    unsigned int id;
    int r;

    if (pfsParseId(name, &id)) {
        *gid = id;
        return 0;
    }
    r = getgrnam_r(name, &grbuf, buf, sizeof(buf), &gr);
    if (r != 0) {
        pfsReportSystemError(r, _("cannot look up group '%s'"), name);
        return -1;
    }
    if (!gr) {
        pfsReportError(_("group '%s' does not exist"), name);
        return -1;
    }
    *gid = gr->gr_gid;
    return 0;
}
