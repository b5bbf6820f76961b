/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_alias.c: QEMU ids for every device
 *
 * The names match libvirt's so that people who know libvirt's command
 * lines, logs and monitor output find the same ids here.
 */
#include "pfsinternal.h"

#include "qemu_alias.h"
#include "qemu_validate.h"

static void
qemuAssignDeviceDiskAlias(pfsDomainDiskDef *disk)
{
    unsigned int bus = 0;
    unsigned int unit = 0;

    if (disk->info.alias)
        return;

    switch (disk->bus) {
    case PFS_DOMAIN_DISK_BUS_VIRTIO:
        disk->info.alias = g_strdup_printf("virtio-disk%d",
                                           qemuDomainDiskNameToIndex(disk->dst, "vd"));
        return;
    case PFS_DOMAIN_DISK_BUS_IDE:
        qemuDomainDiskGetDriveAddress(disk, &bus, &unit);
        disk->info.alias = g_strdup_printf("ide0-%u-%u", bus, unit);
        return;
    case PFS_DOMAIN_DISK_BUS_SATA:
        qemuDomainDiskGetDriveAddress(disk, &bus, &unit);
        disk->info.alias = g_strdup_printf("sata0-%u-%u", bus, unit);
        return;
    case PFS_DOMAIN_DISK_BUS_NONE:
    case PFS_DOMAIN_DISK_BUS_LAST:
        break;
    }
    disk->info.alias = g_strdup("disk");
}


static void
qemuAssignDeviceControllerAlias(pfsDomainControllerDef *cont)
{
    if (cont->info.alias)
        return;

    switch (cont->type) {
    case PFS_DOMAIN_CONTROLLER_TYPE_IDE:
        cont->info.alias = g_strdup("ide");
        return;
    case PFS_DOMAIN_CONTROLLER_TYPE_SATA:
        cont->info.alias = g_strdup_printf("sata%u", cont->idx);
        return;
    case PFS_DOMAIN_CONTROLLER_TYPE_USB:
        cont->info.alias = g_strdup("usb");
        return;
    case PFS_DOMAIN_CONTROLLER_TYPE_PCI:
        cont->info.alias = g_strdup_printf("pci.%u", cont->idx);
        return;
    case PFS_DOMAIN_CONTROLLER_TYPE_LAST:
        break;
    }
}


void
qemuAssignDeviceAliases(pfsDomainDef *def)
{
    /* user aliases do not use up a number: "ua-x", then "fs0" */
    unsigned int nextFS = 0;
    unsigned int nextNet = 0;
    size_t i;

    for (i = 0; i < def->ndisks; i++)
        qemuAssignDeviceDiskAlias(def->disks[i]);

    for (i = 0; i < def->ncontrollers; i++)
        qemuAssignDeviceControllerAlias(def->controllers[i]);

    for (i = 0; i < def->nfss; i++) {
        if (!def->fss[i]->info.alias)
            def->fss[i]->info.alias = g_strdup_printf("fs%u", nextFS++);
    }

    for (i = 0; i < def->nnets; i++) {
        if (!def->nets[i]->info.alias)
            def->nets[i]->info.alias = g_strdup_printf("net%u", nextNet++);
    }

    for (i = 0; i < def->nserials; i++) {
        if (!def->serials[i]->info.alias)
            def->serials[i]->info.alias = g_strdup_printf("serial%u",
                                                          def->serials[i]->port);
    }

    if (def->memballoon && !def->memballoon->info.alias &&
        def->memballoon->model == PFS_DOMAIN_MEMBALLOON_MODEL_VIRTIO)
        def->memballoon->info.alias = g_strdup("balloon0");
}
