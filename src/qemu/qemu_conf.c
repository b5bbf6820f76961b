/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_conf.c: the QEMU driver's configuration (qemu.conf)
 */
#include "pfsinternal.h"

#include "pfsconffile.h"
#include "pfserror.h"
#include "pfsuser.h"
#include "pfshelperlimits.h"
#include "qemu_conf.h"

/* created by "meson install" (build-aux/create-user.sh) */
#define QEMU_DEFAULT_USER "virt-proxyfs-qemu"
#define QEMU_DEFAULT_HELPER_USER "virt-proxyfs"
#define QEMU_USER_HINT \
    "create it with build-aux/create-user.sh, or name another user in the configuration"


qemuDriverConfig *
qemuDriverConfigNew(void)
{
    qemuDriverConfig *cfg = g_new0(qemuDriverConfig, 1);

    cfg->user = g_strdup(QEMU_DEFAULT_USER);
    cfg->group = g_strdup(QEMU_DEFAULT_USER);
    cfg->helper = g_strdup(PFS_HELPERDIR "/virt-proxyfs-helper");
    cfg->helperUser = g_strdup(QEMU_DEFAULT_HELPER_USER);
    cfg->helperGroup = g_strdup(QEMU_DEFAULT_HELPER_USER);
    cfg->emulator = g_strdup("/usr/bin/qemu-system-x86_64");
    cfg->stateDir = g_strdup(PFS_LOCALSTATEDIR "/run/" PACKAGE "/qemu");
    cfg->logDir = g_strdup(PFS_LOCALSTATEDIR "/log/" PACKAGE "/qemu");
    cfg->libDir = g_strdup(PFS_LOCALSTATEDIR "/lib/" PACKAGE "/qemu");
    cfg->shutdownTimeout = 30;
    cfg->helperStartTimeout = 10;
    /* libvirt's own configuration on Debian */
    cfg->libvirtQemuConf = g_strdup("/etc/libvirt/qemu.conf");
    return cfg;
}


void
qemuDriverConfigFree(qemuDriverConfig *cfg)
{
    if (!cfg)
        return;
    g_free(cfg->configFile);
    g_free(cfg->user);
    g_free(cfg->group);
    g_free(cfg->helper);
    g_free(cfg->helperUser);
    g_free(cfg->helperGroup);
    g_free(cfg->emulator);
    g_free(cfg->stateDir);
    g_free(cfg->logDir);
    g_free(cfg->libDir);
    g_free(cfg->libvirtQemuConf);
    g_free(cfg->libvirtUser);
    g_free(cfg->libvirtGroup);
    g_free(cfg);
}


const char *
qemuDriverConfigDefaultPath(void)
{
    return PFS_SYSCONFDIR "/" PACKAGE "/qemu.conf";
}


static int
qemuDriverConfigCheckPath(const char *name, const char *value)
{
    if (!g_path_is_absolute(value)) {
        pfsReportError(_("'%s' in the configuration must be an absolute path, not '%s'"),
                       name, value);
        return -1;
    }
    return 0;
}


/* Read @path (NULL: the default file, which may be missing) over the
 * defaults and check the paths; nothing is looked up. */
static int
qemuDriverConfigLoadFile(qemuDriverConfig *cfg, const char *path)
{
    const pfsConfSetting settings[] = {
        { "user", PFS_CONF_STRING, &cfg->user },
        { "group", PFS_CONF_STRING, &cfg->group },
        { "helper", PFS_CONF_STRING, &cfg->helper },
        { "helper_user", PFS_CONF_STRING, &cfg->helperUser },
        { "helper_group", PFS_CONF_STRING, &cfg->helperGroup },
        { "emulator", PFS_CONF_STRING, &cfg->emulator },
        { "state_dir", PFS_CONF_STRING, &cfg->stateDir },
        { "log_dir", PFS_CONF_STRING, &cfg->logDir },
        { "lib_dir", PFS_CONF_STRING, &cfg->libDir },
        { "shutdown_timeout", PFS_CONF_UINT, &cfg->shutdownTimeout },
        { "helper_start_timeout", PFS_CONF_UINT, &cfg->helperStartTimeout },
        { "helper_busy_poll", PFS_CONF_UINT, &cfg->helperBusyPoll },
        { "libvirt_qemu_conf", PFS_CONF_STRING, &cfg->libvirtQemuConf },
        { "libvirt_user", PFS_CONF_STRING, &cfg->libvirtUser },
        { "libvirt_group", PFS_CONF_STRING, &cfg->libvirtGroup },
    };

    cfg->configFile = g_strdup(path ? path : qemuDriverConfigDefaultPath());
    if (pfsConfFileLoad(cfg->configFile, path ? 0 : PFS_CONF_FILE_OPTIONAL,
                        settings, G_N_ELEMENTS(settings)) < 0)
        return -1;

    if (qemuDriverConfigCheckPath("helper", cfg->helper) < 0 ||
        qemuDriverConfigCheckPath("emulator", cfg->emulator) < 0 ||
        qemuDriverConfigCheckPath("state_dir", cfg->stateDir) < 0 ||
        qemuDriverConfigCheckPath("log_dir", cfg->logDir) < 0 ||
        qemuDriverConfigCheckPath("lib_dir", cfg->libDir) < 0 ||
        qemuDriverConfigCheckPath("libvirt_qemu_conf", cfg->libvirtQemuConf) < 0)
        return -1;
    /* the helper's own bound, reported here rather than at every start */
    if (cfg->helperBusyPoll > PFS_HELPER_BUSY_POLL_MAX_US) {
        pfsReportError(_("%s: helper_busy_poll must be at most %u microseconds"),
                       cfg->configFile, PFS_HELPER_BUSY_POLL_MAX_US);
        return -1;
    }
    return 0;
}


/* the helper looks its user up itself, but a missing one is better
 * reported before anything starts */
static int
qemuDriverConfigCheckHelperUser(const qemuDriverConfig *cfg)
{
    gid_t helperGid;
    uid_t helperUid;

    if (pfsUserLookup(cfg->helperUser, &helperUid, NULL, QEMU_USER_HINT) < 0 ||
        pfsGroupLookup(cfg->helperGroup, &helperGid) < 0)
        return -1;
    return 0;
}


int
qemuDriverConfigLoadHelper(qemuDriverConfig *cfg, const char *path)
{
    if (qemuDriverConfigLoadFile(cfg, path) < 0)
        return -1;
    return qemuDriverConfigCheckHelperUser(cfg);
}


int
qemuDriverConfigLoad(qemuDriverConfig *cfg, const char *path)
{
    if (qemuDriverConfigLoadFile(cfg, path) < 0)
        return -1;

    if (pfsUserLookup(cfg->user, &cfg->uid, NULL, QEMU_USER_HINT) < 0 ||
        pfsGroupLookup(cfg->group, &cfg->gid) < 0)
        return -1;
    if (cfg->uid == 0 || cfg->gid == 0) {
        pfsReportError(_("QEMU must not run as root: set 'user' and 'group' in %s"),
                       cfg->configFile);
        return -1;
    }
    return qemuDriverConfigCheckHelperUser(cfg);
}
