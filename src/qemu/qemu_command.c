/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_command.c: the QEMU 7.2 command line of a domain
 *
 * The arguments come in the order libvirt 9.0 uses, so a command line
 * can be compared line by line with what libvirt would run.
 */
#include "pfsinternal.h"

#include "pfserrorcode.h"
#include "pfsjson.h"
#include "qemu_command.h"
#include "qemu_command_devices.h"
#include "qemu_command_fs.h"

/* The environment libvirt's privileged driver gives QEMU. */
static void
qemuBuildEnvironment(pfsCmdline *cmd, const qemuCommandLineParams *params)
{
    g_autofree char *data = g_strdup_printf("%s/.local/share", params->libDir);
    g_autofree char *cache = g_strdup_printf("%s/.cache", params->libDir);
    g_autofree char *config = g_strdup_printf("%s/.config", params->libDir);

    pfsCmdlineAddEnvPair(cmd, "LC_ALL", "C");
    pfsCmdlineAddEnvPass(cmd, "LD_PRELOAD");
    pfsCmdlineAddEnvPass(cmd, "LD_LIBRARY_PATH");
    pfsCmdlineAddEnvPass(cmd, "PATH");
    pfsCmdlineAddEnvPair(cmd, "HOME", params->libDir);
    pfsCmdlineAddEnvPass(cmd, "USER");
    pfsCmdlineAddEnvPass(cmd, "LOGNAME");
    pfsCmdlineAddEnvPass(cmd, "TMPDIR");
    pfsCmdlineAddEnvPair(cmd, "XDG_DATA_HOME", data);
    pfsCmdlineAddEnvPair(cmd, "XDG_CACHE_HOME", cache);
    pfsCmdlineAddEnvPair(cmd, "XDG_CONFIG_HOME", config);
}


static void
qemuBuildMachineCommandLine(pfsCmdline *cmd, const pfsDomainDef *def)
{
    g_autoptr(pfsJSONObject) ram = pfsJSONObjectNew();
    char uuid[PFS_UUID_STRING_BUFLEN];

    pfsCmdlineAddArg(cmd, "-machine");
    pfsCmdlineAddArgFormat(cmd, "%s,usb=off,dump-guest-core=off,memory-backend=pc.ram",
                           def->os.machine);
    pfsCmdlineAddArgList(cmd, "-accel",
                         def->virtType == PFS_DOMAIN_VIRT_KVM ? "kvm" : "tcg",
                         NULL);

    /* the guest RAM as an explicit backend object, as libvirt does for
     * QEMU >= 5.0; its size is in bytes */
    pfsCmdlineAddArg(cmd, "-m");
    pfsCmdlineAddArgFormat(cmd, "size=%lluk", def->memory);
    pfsJSONObjectAppendString(ram, "qom-type", "memory-backend-ram");
    pfsJSONObjectAppendString(ram, "id", "pc.ram");
    pfsJSONObjectAppendNumberUnsigned(ram, "size", def->memory * 1024);
    pfsCmdlineAddArg(cmd, "-object");
    pfsCmdlineAddArgTake(cmd, pfsJSONObjectFormat(ram));
    pfsCmdlineAddArgList(cmd, "-overcommit", "mem-lock=off", NULL);

    pfsCmdlineAddArg(cmd, "-smp");
    pfsCmdlineAddArgFormat(cmd, "%u,sockets=%u,cores=1,threads=1",
                           def->vcpus, def->vcpus);
    pfsUUIDFormat(def->uuid, uuid);
    pfsCmdlineAddArgList(cmd, "-uuid", uuid, NULL);
    pfsCmdlineAddArgList(cmd, "-display", "none", "-no-user-config",
                         "-nodefaults", NULL);
}


static void
qemuBuildMonitorCommandLine(pfsCmdline *cmd, const qemuCommandLineParams *params)
{
    pfsCmdlinePassFD(cmd, params->monitorFD);
    pfsCmdlineAddArg(cmd, "-chardev");
    pfsCmdlineAddArgFormat(cmd, "socket,id=charmonitor,fd=%d,server=on,wait=off",
                           params->monitorFD);
    pfsCmdlineAddArgList(cmd, "-mon", "chardev=charmonitor,id=monitor,mode=control",
                         NULL);
}


static void
qemuBuildBootCommandLine(pfsCmdline *cmd, const pfsDomainDef *def)
{
    pfsCmdlineAddArg(cmd, "-rtc");
    pfsCmdlineAddArgFormat(cmd, "base=%s",
                           def->clockOffset == PFS_DOMAIN_CLOCK_OFFSET_LOCALTIME ?
                           "localtime" : "utc");
    /* QEMU stays (paused) when the guest powers off, so that the
     * on_poweroff action can be carried out from the monitor */
    pfsCmdlineAddArg(cmd, "-no-shutdown");
    if (def->onReboot == PFS_DOMAIN_LIFECYCLE_ACTION_DESTROY)
        pfsCmdlineAddArg(cmd, "-no-reboot");
    if (!def->acpi)
        pfsCmdlineAddArg(cmd, "-no-acpi");
    pfsCmdlineAddArgList(cmd, "-boot", "strict=on", NULL);

    if (def->os.kernel)
        pfsCmdlineAddArgList(cmd, "-kernel", def->os.kernel, NULL);
    if (def->os.initrd)
        pfsCmdlineAddArgList(cmd, "-initrd", def->os.initrd, NULL);
    if (def->os.cmdline)
        pfsCmdlineAddArgList(cmd, "-append", def->os.cmdline, NULL);
}


pfsCmdline *
qemuBuildCommandLine(const pfsDomainDef *def,
                     const qemuCommandLineParams *params)
{
    g_autoptr(pfsCmdline) cmd = pfsCmdlineNew(def->emulator);

    if (params->monitorFD <= 2) {
        pfsReportErrorCode(PFS_ERR_INTERNAL_ERROR, "%s",
                           _("no monitor socket for the QEMU command line"));
        return NULL;
    }

    qemuBuildEnvironment(cmd, params);

    pfsCmdlineAddArg(cmd, "-name");
    pfsCmdlineAddArgFormat(cmd, "guest=%s,debug-threads=on", def->name);
    pfsCmdlineAddArg(cmd, "-S");
    qemuBuildMachineCommandLine(cmd, def);
    qemuBuildMonitorCommandLine(cmd, params);
    qemuBuildBootCommandLine(cmd, def);

    qemuBuildControllersCommandLine(cmd, def);
    qemuBuildDisksCommandLine(cmd, def);
    if (qemuBuildFilesystemCommandLine(cmd, def, params->fsProxyFDs,
                                       params->nfsProxyFDs) < 0)
        return NULL;
    qemuBuildNetsCommandLine(cmd, def);
    qemuBuildSerialsCommandLine(cmd, def);

    pfsCmdlineAddArgList(cmd, "-audiodev", "{\"id\":\"audio1\",\"driver\":\"none\"}",
                         NULL);
    qemuBuildMemballoonCommandLine(cmd, def);
    /* QEMU may never start helpers itself (spawn=deny): the proxy
     * helper is started by us before QEMU */
    pfsCmdlineAddArgList(cmd, "-sandbox",
                         "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny",
                         "-msg", "timestamp=on", NULL);
    return g_steal_pointer(&cmd);
}


pfsCmdline *
qemuBuildPretendCommandLine(const pfsDomainDef *def,
                            const char *libDir,
                            int monitorFD,
                            int proxyFDBase)
{
    g_autofree int *fds = g_new0(int, def->nfss + 1);
    qemuCommandLineParams params = {
        .libDir = libDir,
        .monitorFD = monitorFD,
        .fsProxyFDs = fds,
        .nfsProxyFDs = def->nfss,
    };
    size_t i;

    for (i = 0; i < def->nfss; i++) {
        fds[i] = def->fss[i]->fsdriver == PFS_DOMAIN_FS_DRIVER_TYPE_PROXY ?
            proxyFDBase + (int)i : -1;
    }
    return qemuBuildCommandLine(def, &params);
}
