/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvirt_conf.c: whom a stock libvirtd runs QEMU as
 *
 * The hook serves a QEMU that libvirtd starts: the helper's socket and
 * the only uid it serves are those of libvirt's QEMU user, which our
 * qemu.conf may name and libvirt's own qemu.conf otherwise does.
 */
#include "pfsinternal.h"

#include "pfsconffile.h"
#include "pfserror.h"
#include "pfsuser.h"
#include "libvirt_conf.h"

/* libvirt's QEMU user on Debian when its qemu.conf does not say */
#define PFS_LIBVIRT_DEFAULT_USER "libvirt-qemu"


/* (libvirt tries a bare number as a name first, we as a number first:
 * they differ only for a user whose name is another user's uid.) */
int
pfsLibvirtIdLookup(const char *value, bool isUser,
                    const char *what, unsigned int *id)
{
    g_autofree char *hint = NULL;
    const char *name = value;
    guint64 num;

    if (*name == '+') {
        name++;
        if (!g_ascii_string_to_unsigned(name, 10, 0, G_MAXUINT32 - 1, &num, NULL)) {
            if (isUser)
                pfsReportError(_("invalid user '%s' in %s"), value, what);
            else
                pfsReportError(_("invalid group '%s' in %s"), value, what);
            return -1;
        }
    }
    if (isUser) {
        uid_t uid;

        hint = g_strdup_printf(_("libvirt runs QEMU as that user (%s)"), what);
        if (pfsUserLookup(name, &uid, NULL, hint) < 0)
            return -1;
        *id = uid;
    } else {
        gid_t gid;

        if (pfsGroupLookup(name, &gid) < 0)
            return -1;
        *id = gid;
    }
    return 0;
}


int
pfsLibvirtConfigLoad(qemuDriverConfig *cfg, const char *path)
{
    g_autofree char *user = NULL;
    g_autofree char *group = NULL;
    g_autofree char *userFrom = NULL;
    g_autofree char *groupFrom = NULL;
    const pfsConfSetting libvirtSettings[] = {
        { "user", PFS_CONF_STRING, &user },
        { "group", PFS_CONF_STRING, &group },
    };
    unsigned int uid;
    unsigned int gid;

    if (qemuDriverConfigLoadHelper(cfg, path) < 0)
        return -1;

    /* libvirt's file is read only for what ours does not set, and it
     * may be missing: libvirt then uses its built-in default */
    if ((!cfg->libvirtUser || !cfg->libvirtGroup) &&
        pfsConfFileLoad(cfg->libvirtQemuConf,
                        PFS_CONF_FILE_OPTIONAL | PFS_CONF_FILE_LENIENT,
                        libvirtSettings, G_N_ELEMENTS(libvirtSettings)) < 0)
        return -1;

    if (cfg->libvirtUser) {
        userFrom = g_strdup_printf(_("'libvirt_user' in %s"), cfg->configFile);
    } else if (user) {
        userFrom = g_strdup_printf(_("'user' in %s"), cfg->libvirtQemuConf);
        cfg->libvirtUser = g_steal_pointer(&user);
    } else {
        userFrom = g_strdup(_("libvirt's default user"));
        cfg->libvirtUser = g_strdup(PFS_LIBVIRT_DEFAULT_USER);
    }
    if (cfg->libvirtGroup) {
        groupFrom = g_strdup_printf(_("'libvirt_group' in %s"), cfg->configFile);
    } else if (group) {
        groupFrom = g_strdup_printf(_("'group' in %s"), cfg->libvirtQemuConf);
        cfg->libvirtGroup = g_steal_pointer(&group);
    } else {
        groupFrom = g_strdup(_("libvirt's default group"));
        cfg->libvirtGroup = g_strdup(PFS_LIBVIRT_DEFAULT_USER);
    }

    if (pfsLibvirtIdLookup(cfg->libvirtUser, true, userFrom, &uid) < 0 ||
        pfsLibvirtIdLookup(cfg->libvirtGroup, false, groupFrom, &gid) < 0)
        return -1;
    /* QEMU as root would have every right the confined helper lacks */
    if (uid == 0 || gid == 0) {
        pfsReportError(_("libvirt runs QEMU as root (%s, %s): a proxy share needs an unprivileged QEMU"),
                       userFrom, groupFrom);
        return -1;
    }
    cfg->libvirtUid = uid;
    cfg->libvirtGid = gid;
    return 0;
}
