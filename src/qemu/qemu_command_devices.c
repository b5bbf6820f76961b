/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_command_devices.c: disks, controllers, network cards, serial
 * ports and the balloon, in the form libvirt 9.0 gives QEMU 7.2
 * (-blockdev and JSON -device/-netdev)
 */
#include "pfsinternal.h"

#include "qemu_command_devices.h"
#include "qemu_command_util.h"
#include "qemu_validate.h"

void
qemuBuildControllersCommandLine(pfsCmdline *cmd, const pfsDomainDef *def)
{
    size_t i;

    /* IDE, USB (model none) and the PCI root are part of the machine */
    for (i = 0; i < def->ncontrollers; i++) {
        const pfsDomainControllerDef *cont = def->controllers[i];
        g_autoptr(pfsJSONObject) props = NULL;

        if (cont->type != PFS_DOMAIN_CONTROLLER_TYPE_SATA)
            continue;
        props = pfsJSONObjectNew();
        pfsJSONObjectAppendString(props, "driver", "ahci");
        pfsJSONObjectAppendString(props, "id", cont->info.alias);
        qemuBuildDeviceAddressProps(props, &cont->info);
        qemuBuildDeviceCommandLineFromJSON(cmd, props);
    }
}


static const char *
qemuBuildDiskStorageDriver(const pfsDomainDiskDef *disk)
{
    if (disk->type == PFS_DOMAIN_DISK_TYPE_FILE)
        return "file";
    return disk->device == PFS_DOMAIN_DISK_DEVICE_CDROM ? "host_cdrom" : "host_device";
}


/* The protocol node (the file or device) and the format node on top. */
static void
qemuBuildDiskBlockdevs(pfsCmdline *cmd,
                       const pfsDomainDiskDef *disk,
                       const char *storageName,
                       const char *formatName)
{
    g_autoptr(pfsJSONObject) storage = pfsJSONObjectNew();
    g_autoptr(pfsJSONObject) format = pfsJSONObjectNew();
    bool readonly = disk->readonly || disk->device == PFS_DOMAIN_DISK_DEVICE_CDROM;
    bool qcow2 = disk->format == PFS_STORAGE_FILE_QCOW2;

    pfsJSONObjectAppendString(storage, "driver", qemuBuildDiskStorageDriver(disk));
    pfsJSONObjectAppendString(storage, "filename", disk->src);
    pfsJSONObjectAppendString(storage, "node-name", storageName);
    pfsJSONObjectAppendBool(storage, "auto-read-only", true);
    pfsJSONObjectAppendString(storage, "discard", "unmap");
    pfsCmdlineAddArg(cmd, "-blockdev");
    pfsCmdlineAddArgTake(cmd, pfsJSONObjectFormat(storage));

    pfsJSONObjectAppendString(format, "node-name", formatName);
    pfsJSONObjectAppendBool(format, "read-only", readonly);
    pfsJSONObjectAppendString(format, "driver", qcow2 ? "qcow2" : "raw");
    pfsJSONObjectAppendString(format, "file", storageName);
    /* no backing chain is modelled: tell QEMU not to open one */
    if (qcow2)
        pfsJSONObjectAppendNull(format, "backing");
    pfsCmdlineAddArg(cmd, "-blockdev");
    pfsCmdlineAddArgTake(cmd, pfsJSONObjectFormat(format));
}


static void
qemuBuildDiskDevice(pfsCmdline *cmd,
                    const pfsDomainDiskDef *disk,
                    const char *formatName)
{
    g_autoptr(pfsJSONObject) props = pfsJSONObjectNew();
    bool cdrom = disk->device == PFS_DOMAIN_DISK_DEVICE_CDROM;
    unsigned int bus = 0;
    unsigned int unit = 0;
    g_autofree char *busName = NULL;

    switch (disk->bus) {
    case PFS_DOMAIN_DISK_BUS_VIRTIO:
        pfsJSONObjectAppendString(props, "driver", "virtio-blk-pci");
        qemuBuildDeviceAddressProps(props, &disk->info);
        break;
    case PFS_DOMAIN_DISK_BUS_IDE:
        qemuDomainDiskGetDriveAddress(disk, &bus, &unit);
        busName = g_strdup_printf("ide.%u", bus);
        pfsJSONObjectAppendString(props, "driver", cdrom ? "ide-cd" : "ide-hd");
        pfsJSONObjectAppendString(props, "bus", busName);
        pfsJSONObjectAppendNumber(props, "unit", unit);
        break;
    case PFS_DOMAIN_DISK_BUS_SATA:
        qemuDomainDiskGetDriveAddress(disk, &bus, &unit);
        busName = g_strdup_printf("sata0.%u", unit);
        pfsJSONObjectAppendString(props, "driver", cdrom ? "ide-cd" : "ide-hd");
        pfsJSONObjectAppendString(props, "bus", busName);
        break;
    case PFS_DOMAIN_DISK_BUS_NONE:
    case PFS_DOMAIN_DISK_BUS_LAST:
        break;
    }

    if (formatName)
        pfsJSONObjectAppendString(props, "drive", formatName);
    pfsJSONObjectAppendString(props, "id", disk->info.alias);
    if (disk->info.effectiveBootIndex)
        pfsJSONObjectAppendNumber(props, "bootindex", disk->info.effectiveBootIndex);
    qemuBuildDeviceCommandLineFromJSON(cmd, props);
}


void
qemuBuildDisksCommandLine(pfsCmdline *cmd, const pfsDomainDef *def)
{
    size_t nodes = 0;
    size_t i;

    /* node names count down, so the last disk is "libvirt-1-..." as in
     * libvirt's output */
    for (i = 0; i < def->ndisks; i++) {
        if (def->disks[i]->src)
            nodes++;
    }

    for (i = 0; i < def->ndisks; i++) {
        const pfsDomainDiskDef *disk = def->disks[i];
        g_autofree char *storageName = NULL;
        g_autofree char *formatName = NULL;

        if (disk->src) {
            storageName = g_strdup_printf("libvirt-%zu-storage", nodes);
            formatName = g_strdup_printf("libvirt-%zu-format", nodes);
            nodes--;
            qemuBuildDiskBlockdevs(cmd, disk, storageName, formatName);
        }
        qemuBuildDiskDevice(cmd, disk, formatName);
    }
}


static const char *
qemuBuildNicModel(pfsDomainNetModel model)
{
    switch (model) {
    case PFS_DOMAIN_NET_MODEL_VIRTIO:
        return "virtio-net-pci";
    case PFS_DOMAIN_NET_MODEL_E1000:
        return "e1000";
    case PFS_DOMAIN_NET_MODEL_DEFAULT:
    case PFS_DOMAIN_NET_MODEL_RTL8139:
    case PFS_DOMAIN_NET_MODEL_LAST:
        break;
    }
    /* libvirt's default NIC for x86 */
    return "rtl8139";
}


void
qemuBuildNetsCommandLine(pfsCmdline *cmd, const pfsDomainDef *def)
{
    size_t i;

    for (i = 0; i < def->nnets; i++) {
        const pfsDomainNetDef *net = def->nets[i];
        g_autoptr(pfsJSONObject) netdev = pfsJSONObjectNew();
        g_autoptr(pfsJSONObject) props = pfsJSONObjectNew();
        g_autofree char *hostId = g_strdup_printf("host%s", net->info.alias);
        char mac[PFS_MAC_STRING_BUFLEN];

        pfsJSONObjectAppendString(netdev, "type", "user");
        pfsJSONObjectAppendString(netdev, "id", hostId);
        pfsCmdlineAddArg(cmd, "-netdev");
        pfsCmdlineAddArgTake(cmd, pfsJSONObjectFormat(netdev));

        pfsMacAddrFormat(net->mac, mac);
        pfsJSONObjectAppendString(props, "driver", qemuBuildNicModel(net->model));
        pfsJSONObjectAppendString(props, "netdev", hostId);
        pfsJSONObjectAppendString(props, "id", net->info.alias);
        pfsJSONObjectAppendString(props, "mac", mac);
        qemuBuildDeviceAddressProps(props, &net->info);
        if (net->info.effectiveBootIndex)
            pfsJSONObjectAppendNumber(props, "bootindex", net->info.effectiveBootIndex);
        qemuBuildDeviceCommandLineFromJSON(cmd, props);
    }
}


void
qemuBuildSerialsCommandLine(pfsCmdline *cmd, const pfsDomainDef *def)
{
    size_t i;

    for (i = 0; i < def->nserials; i++) {
        const pfsDomainChrDef *serial = def->serials[i];
        g_autoptr(pfsJSONObject) props = pfsJSONObjectNew();
        g_autofree char *charId = g_strdup_printf("char%s", serial->info.alias);
        g_autoptr(GString) chardev = g_string_new(NULL);

        switch (serial->type) {
        case PFS_DOMAIN_CHR_TYPE_PTY:
            g_string_append_printf(chardev, "pty,id=%s", charId);
            break;
        case PFS_DOMAIN_CHR_TYPE_STDIO:
            g_string_append_printf(chardev, "stdio,id=%s", charId);
            break;
        case PFS_DOMAIN_CHR_TYPE_FILE:
            g_string_append_printf(chardev, "file,id=%s,path=", charId);
            qemuBuildBufferEscapeComma(chardev, serial->path);
            if (serial->append)
                g_string_append_printf(chardev, ",append=%s",
                                       pfsTristateSwitchTypeToString(serial->append));
            break;
        case PFS_DOMAIN_CHR_TYPE_LAST:
            break;
        }
        pfsCmdlineAddArg(cmd, "-chardev");
        pfsCmdlineAddArg(cmd, chardev->str);

        pfsJSONObjectAppendString(props, "driver", "isa-serial");
        pfsJSONObjectAppendString(props, "chardev", charId);
        pfsJSONObjectAppendString(props, "id", serial->info.alias);
        pfsJSONObjectAppendNumber(props, "index", serial->port);
        qemuBuildDeviceCommandLineFromJSON(cmd, props);
    }
}


void
qemuBuildMemballoonCommandLine(pfsCmdline *cmd, const pfsDomainDef *def)
{
    g_autoptr(pfsJSONObject) props = NULL;

    if (!def->memballoon ||
        def->memballoon->model != PFS_DOMAIN_MEMBALLOON_MODEL_VIRTIO)
        return;

    props = pfsJSONObjectNew();
    pfsJSONObjectAppendString(props, "driver", "virtio-balloon-pci");
    pfsJSONObjectAppendString(props, "id", def->memballoon->info.alias);
    qemuBuildDeviceAddressProps(props, &def->memballoon->info);
    qemuBuildDeviceCommandLineFromJSON(cmd, props);
}
