/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_domain.c: getting a parsed definition ready for QEMU
 */
#include "pfsinternal.h"

#include "qemu_alias.h"
#include "qemu_domain.h"
#include "qemu_domain_address.h"
#include "qemu_validate.h"

/* <os><boot dev='...'/> becomes a bootindex on the first device of each
 * kind, numbered by position, as libvirt does for modern QEMU. */
static void
qemuDomainPrepareBootOrder(pfsDomainDef *def)
{
    pfsDomainDeviceInfo *first[PFS_DOMAIN_BOOT_LAST] = { NULL };
    size_t i;

    for (i = 0; i < def->ndisks; i++)
        def->disks[i]->info.effectiveBootIndex = def->disks[i]->info.bootIndex;
    for (i = 0; i < def->nnets; i++)
        def->nets[i]->info.effectiveBootIndex = def->nets[i]->info.bootIndex;
    for (i = 0; i < def->nfss; i++)
        def->fss[i]->info.effectiveBootIndex = def->fss[i]->info.bootIndex;

    if (def->os.nBootDevs == 0)
        return;

    for (i = 0; i < def->ndisks; i++) {
        pfsDomainDiskDef *disk = def->disks[i];
        pfsDomainBootDev kind = disk->device == PFS_DOMAIN_DISK_DEVICE_CDROM ?
            PFS_DOMAIN_BOOT_CDROM : PFS_DOMAIN_BOOT_HD;

        if (!first[kind])
            first[kind] = &disk->info;
    }
    if (def->nnets > 0)
        first[PFS_DOMAIN_BOOT_NETWORK] = &def->nets[0]->info;

    for (i = 0; i < def->os.nBootDevs; i++) {
        pfsDomainDeviceInfo *info = first[def->os.bootDevs[i]];

        if (info && !info->effectiveBootIndex)
            info->effectiveBootIndex = i + 1;
    }
}


int
qemuDomainPrepare(pfsDomainDef *def)
{
    if (qemuValidateDomainDef(def) < 0)
        return -1;
    qemuDomainPrepareBootOrder(def);
    qemuAssignDeviceAliases(def);
    return qemuDomainAssignPCIAddresses(def);
}
