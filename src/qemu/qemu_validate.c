/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_validate.c: what QEMU 7.2 on an i440fx x86_64 machine can run
 *
 * The filesystem rules are libvirt 9.0's for QEMU (same order, same
 * messages), with 'handle' refused because QEMU dropped that backend
 * in 4.0, plus the rules of the proxy driver.
 */
#include "pfsinternal.h"

#include <string.h>

#include "pfserrorcode.h"
#include "qemu_validate.h"

#define QEMU_IDE_BUSES 2
#define QEMU_IDE_UNITS 2
#define QEMU_SATA_PORTS 6
#define QEMU_ISA_SERIAL_PORTS 4

static int
qemuValidateDomainDeviceDefFSProxy(const pfsDomainFSDef *fs)
{
    /* the helper is always started by us, on a directory */
    if (fs->sock) {
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED, "%s",
                           _("filesystem driver 'proxy' needs <source dir>, not a socket"));
        return -1;
    }
    if (fs->accessmode != PFS_DOMAIN_FS_ACCESSMODE_PASSTHROUGH) {
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED, "%s",
                           _("filesystem driver 'proxy' only supports passthrough accessmode"));
        return -1;
    }
    if (fs->multidevs != PFS_DOMAIN_FS_MULTIDEVS_DEFAULT) {
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED, "%s",
                           _("filesystem driver 'proxy' does not support multidevs"));
        return -1;
    }
    if (fs->fmode || fs->dmode) {
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED, "%s",
                           _("filesystem driver 'proxy' does not support fmode and dmode"));
        return -1;
    }
    if (fs->format != PFS_STORAGE_FILE_NONE) {
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED, "%s",
                           _("filesystem driver 'proxy' does not support format"));
        return -1;
    }
    if (!fs->src) {
        pfsReportErrorCode(PFS_ERR_NO_SOURCE, "%s", fs->dst);
        return -1;
    }
    if (!g_path_is_absolute(fs->src)) {
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                           _("filesystem source directory '%s' must be an absolute path"),
                           fs->src);
        return -1;
    }
    return 0;
}


static int
qemuValidateDomainDeviceDefFSVirtiofs(const pfsDomainFSDef *fs)
{
    if (!fs->sock) {
        if (fs->readonly) {
            pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED, "%s",
                               _("virtiofs does not yet support read-only mode"));
            return -1;
        }
        if (fs->accessmode != PFS_DOMAIN_FS_ACCESSMODE_PASSTHROUGH) {
            pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED, "%s",
                               _("virtiofs only supports passthrough accessmode"));
            return -1;
        }
        if (fs->wrpolicy != PFS_DOMAIN_FS_WRPOLICY_DEFAULT) {
            pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED, "%s",
                               _("virtiofs does not support wrpolicy"));
            return -1;
        }
    }
    if (fs->model != PFS_DOMAIN_FS_MODEL_DEFAULT) {
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED, "%s",
                           _("virtiofs does not support model"));
        return -1;
    }
    if (fs->format != PFS_STORAGE_FILE_NONE) {
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED, "%s",
                           _("virtiofs does not support format"));
        return -1;
    }
    if (fs->multidevs != PFS_DOMAIN_FS_MULTIDEVS_DEFAULT) {
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED, "%s",
                           _("virtiofs does not support multidevs"));
        return -1;
    }
    if (fs->fmode || fs->dmode) {
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED, "%s",
                           _("virtiofs does not support fmode and dmode"));
        return -1;
    }
    /* the model has no <memoryBacking>, so memory is never shared */
    pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED, "%s",
                       _("'virtiofs' requires shared memory"));
    return -1;
}


int
qemuValidateDomainDeviceDefFS(const pfsDomainFSDef *fs)
{
    if (fs->type != PFS_DOMAIN_FS_TYPE_MOUNT) {
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED, "%s",
                           _("only supports mount filesystem type"));
        return -1;
    }
    if (fs->spaceHardLimit || fs->spaceSoftLimit) {
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED, "%s",
                           _("filesystem usage limits are not supported with QEMU"));
        return -1;
    }

    /* before the generic checks, so that each proxy rule has its own
     * message */
    if (fs->fsdriver == PFS_DOMAIN_FS_DRIVER_TYPE_PROXY)
        return qemuValidateDomainDeviceDefFSProxy(fs);

    if ((fs->fmode || fs->dmode) &&
        fs->accessmode != PFS_DOMAIN_FS_ACCESSMODE_MAPPED) {
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED, "%s",
                           _("fmode and dmode must be used with accessmode=mapped"));
        return -1;
    }

    switch (fs->fsdriver) {
    case PFS_DOMAIN_FS_DRIVER_TYPE_DEFAULT:
    case PFS_DOMAIN_FS_DRIVER_TYPE_PATH:
        /* the 9p local backend opens the directory itself */
        if (fs->sock) {
            pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED, "%s",
                               _("a source socket is only supported with driver type 'virtiofs'"));
            return -1;
        }
        return 0;

    case PFS_DOMAIN_FS_DRIVER_TYPE_HANDLE:
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED, "%s",
                           _("filesystem driver 'handle' is not supported with this QEMU binary"));
        return -1;

    case PFS_DOMAIN_FS_DRIVER_TYPE_LOOP:
    case PFS_DOMAIN_FS_DRIVER_TYPE_NBD:
    case PFS_DOMAIN_FS_DRIVER_TYPE_PLOOP:
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED, "%s",
                           _("Filesystem driver type not supported"));
        return -1;

    case PFS_DOMAIN_FS_DRIVER_TYPE_VIRTIOFS:
        return qemuValidateDomainDeviceDefFSVirtiofs(fs);

    case PFS_DOMAIN_FS_DRIVER_TYPE_PROXY:
        return qemuValidateDomainDeviceDefFSProxy(fs);

    case PFS_DOMAIN_FS_DRIVER_TYPE_LAST:
    default:
        break;
    }

    pfsReportErrorCode(PFS_ERR_INTERNAL_ERROR,
                       _("Unexpected enum value %d for %s"),
                       (int)fs->fsdriver, "pfsDomainFSDriverType");
    return -1;
}


int
qemuDomainDiskNameToIndex(const char *name, const char *prefix)
{
    const char *p;
    int idx = 0;

    if (!g_str_has_prefix(name, prefix) || name[strlen(prefix)] == '\0')
        return -1;
    for (p = name + strlen(prefix); *p; p++) {
        if (*p < 'a' || *p > 'z' || idx > 100000)
            return -1;
        idx = idx * 26 + (*p - 'a' + 1);
    }
    return idx - 1;
}


static const char *
qemuDomainDiskBusPrefix(pfsDomainDiskBus bus)
{
    switch (bus) {
    case PFS_DOMAIN_DISK_BUS_VIRTIO:
        return "vd";
    case PFS_DOMAIN_DISK_BUS_SATA:
        return "sd";
    case PFS_DOMAIN_DISK_BUS_IDE:
        return "hd";
    case PFS_DOMAIN_DISK_BUS_NONE:
    case PFS_DOMAIN_DISK_BUS_LAST:
        break;
    }
    return NULL;
}


int
qemuDomainDiskGetDriveAddress(const pfsDomainDiskDef *disk,
                              unsigned int *bus,
                              unsigned int *unit)
{
    int idx = qemuDomainDiskNameToIndex(disk->dst, qemuDomainDiskBusPrefix(disk->bus));

    if (disk->info.type == PFS_DOMAIN_DEVICE_ADDRESS_TYPE_DRIVE) {
        *bus = disk->info.addr.drive.bus;
        *unit = disk->info.addr.drive.unit;
        return 0;
    }
    if (idx < 0)
        return -1;
    if (disk->bus == PFS_DOMAIN_DISK_BUS_IDE) {
        *bus = idx / QEMU_IDE_UNITS;
        *unit = idx % QEMU_IDE_UNITS;
    } else {
        *bus = 0;
        *unit = idx;
    }
    return 0;
}


static int
qemuValidateDomainDeviceDefDisk(const pfsDomainDiskDef *disk)
{
    const char *bus = pfsDomainDiskBusTypeToString(disk->bus);
    unsigned int maxBus = disk->bus == PFS_DOMAIN_DISK_BUS_IDE ? QEMU_IDE_BUSES : 1;
    unsigned int maxUnit = disk->bus == PFS_DOMAIN_DISK_BUS_IDE ?
        QEMU_IDE_UNITS : QEMU_SATA_PORTS;
    unsigned int driveBus;
    unsigned int driveUnit;

    if (disk->format != PFS_STORAGE_FILE_NONE &&
        disk->format != PFS_STORAGE_FILE_RAW &&
        disk->format != PFS_STORAGE_FILE_QCOW2) {
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                           _("disk format '%s' is not supported, only 'raw' and 'qcow2'"),
                           pfsStorageFileFormatTypeToString(disk->format));
        return -1;
    }

    if (qemuDomainDiskNameToIndex(disk->dst, qemuDomainDiskBusPrefix(disk->bus)) < 0) {
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                           _("disk target '%s' does not suit bus '%s': expecting a name starting with '%s'"),
                           disk->dst, bus, qemuDomainDiskBusPrefix(disk->bus));
        return -1;
    }

    if (disk->bus == PFS_DOMAIN_DISK_BUS_VIRTIO) {
        if (disk->device == PFS_DOMAIN_DISK_DEVICE_CDROM) {
            pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                               _("disk '%s': a cdrom cannot be on bus 'virtio'"),
                               disk->dst);
            return -1;
        }
        if (disk->info.type == PFS_DOMAIN_DEVICE_ADDRESS_TYPE_DRIVE) {
            pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                               _("disk '%s' on bus '%s' cannot have a '%s' address"),
                               disk->dst, bus, "drive");
            return -1;
        }
        return 0;
    }

    if (disk->info.type == PFS_DOMAIN_DEVICE_ADDRESS_TYPE_PCI) {
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                           _("disk '%s' on bus '%s' cannot have a '%s' address"),
                           disk->dst, bus, "pci");
        return -1;
    }
    if (disk->readonly && disk->device == PFS_DOMAIN_DISK_DEVICE_DISK) {
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                           _("readonly %s disks are not supported"), bus);
        return -1;
    }
    if (disk->info.type == PFS_DOMAIN_DEVICE_ADDRESS_TYPE_DRIVE &&
        (disk->info.addr.drive.controller != 0 || disk->info.addr.drive.target != 0)) {
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                           _("disk '%s': only controller 0 and target 0 exist"),
                           disk->dst);
        return -1;
    }
    if (qemuDomainDiskGetDriveAddress(disk, &driveBus, &driveUnit) < 0 ||
        driveBus >= maxBus || driveUnit >= maxUnit) {
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                           _("disk '%s' is beyond the %u %s ports of the machine"),
                           disk->dst, maxBus * maxUnit, bus);
        return -1;
    }
    return 0;
}


static int
qemuValidateDomainDefDisks(const pfsDomainDef *def)
{
    size_t i;
    size_t j;

    for (i = 0; i < def->ndisks; i++) {
        if (qemuValidateDomainDeviceDefDisk(def->disks[i]) < 0)
            return -1;
    }

    for (i = 0; i < def->ndisks; i++) {
        const pfsDomainDiskDef *a = def->disks[i];
        unsigned int busA;
        unsigned int unitA;

        if (a->bus == PFS_DOMAIN_DISK_BUS_VIRTIO)
            continue;
        qemuDomainDiskGetDriveAddress(a, &busA, &unitA);
        for (j = i + 1; j < def->ndisks; j++) {
            const pfsDomainDiskDef *b = def->disks[j];
            unsigned int busB;
            unsigned int unitB;

            if (b->bus != a->bus)
                continue;
            qemuDomainDiskGetDriveAddress(b, &busB, &unitB);
            if (busA == busB && unitA == unitB) {
                pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                                   _("disks '%s' and '%s' use the same drive address"),
                                   a->dst, b->dst);
                return -1;
            }
        }
    }
    return 0;
}


static bool
qemuDomainMachineIsI440FX(const char *machine)
{
    return strcmp(machine, "pc") == 0 || g_str_has_prefix(machine, "pc-i440fx-");
}


static int
qemuValidateLifecycleAction(pfsDomainLifecycleAction action, const char *name)
{
    if (action == PFS_DOMAIN_LIFECYCLE_ACTION_RESTART_RENAME) {
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                           _("qemu driver doesn't support the rename-restart action for '%s'"),
                           name);
        return -1;
    }
    return 0;
}


int
qemuValidateDomainDef(const pfsDomainDef *def)
{
    size_t i;

    if (strcmp(def->os.arch, "x86_64") != 0) {
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                           _("architecture '%s' is not supported, only 'x86_64'"),
                           def->os.arch);
        return -1;
    }
    if (!qemuDomainMachineIsI440FX(def->os.machine)) {
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                           _("machine type '%s' is not supported, only i440fx ('pc', 'pc-i440fx-*')"),
                           def->os.machine);
        return -1;
    }
    if (!def->os.kernel && (def->os.initrd || def->os.cmdline)) {
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED, "%s",
                           _("<initrd> and <cmdline> need a <kernel>"));
        return -1;
    }
    if (qemuValidateLifecycleAction(def->onPoweroff, "on_poweroff") < 0 ||
        qemuValidateLifecycleAction(def->onReboot, "on_reboot") < 0 ||
        qemuValidateLifecycleAction(def->onCrash, "on_crash") < 0)
        return -1;

    if (qemuValidateDomainDefDisks(def) < 0)
        return -1;

    for (i = 0; i < def->nfss; i++) {
        if (qemuValidateDomainDeviceDefFS(def->fss[i]) < 0)
            return -1;
    }

    for (i = 0; i < def->nserials; i++) {
        if (def->serials[i]->port >= QEMU_ISA_SERIAL_PORTS) {
            pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                               _("serial port %u does not exist: the machine has ISA ports 0 to %u"),
                               def->serials[i]->port, QEMU_ISA_SERIAL_PORTS - 1);
            return -1;
        }
    }
    return 0;
}
