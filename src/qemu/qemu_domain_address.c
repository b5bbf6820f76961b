/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_domain_address.c: PCI slots on the i440fx root bus
 *
 * Slot 0 is the host bridge and slot 1 the PIIX3 (ISA, IDE, USB, ACPI),
 * so devices start at slot 2, one slot each, as libvirt places them.
 */
#include "pfsinternal.h"

#include "pfserrorcode.h"
#include "qemu_domain_address.h"

#define QEMU_PCI_SLOTS 32
#define QEMU_PCI_FUNCTIONS 8
#define QEMU_PCI_FIRST_FREE_SLOT 2

typedef struct {
    /* one bit per function of each slot of bus 0 */
    guint8 used[QEMU_PCI_SLOTS];
} qemuPCIAddressSet;


static void
qemuPCIAddressFormat(const pfsPCIAddress *addr, char *str, size_t len)
{
    g_snprintf(str, len, "%04x:%02x:%02x.%x",
               addr->domain, addr->bus, addr->slot, addr->function);
}


static int
qemuPCIAddressReserve(qemuPCIAddressSet *set, const pfsDomainDeviceInfo *info)
{
    const pfsPCIAddress *addr = &info->addr.pci;
    char str[32];

    if (info->type != PFS_DOMAIN_DEVICE_ADDRESS_TYPE_PCI)
        return 0;

    qemuPCIAddressFormat(addr, str, sizeof(str));
    if (addr->domain != 0 || addr->bus != 0) {
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                           _("PCI address %s is not on bus 0000:00, the only PCI bus of the machine"),
                           str);
        return -1;
    }
    if (addr->slot < QEMU_PCI_FIRST_FREE_SLOT) {
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                           _("PCI address %s is reserved for the machine's built-in devices"),
                           str);
        return -1;
    }
    if (set->used[addr->slot] & (1 << addr->function)) {
        pfsReportErrorCode(PFS_ERR_XML_ERROR,
                           _("Attempted double use of PCI Address %s"), str);
        return -1;
    }
    set->used[addr->slot] |= 1 << addr->function;
    return 0;
}


static int
qemuPCIAddressAssign(qemuPCIAddressSet *set, pfsDomainDeviceInfo *info)
{
    unsigned int slot;

    if (info->type == PFS_DOMAIN_DEVICE_ADDRESS_TYPE_PCI)
        return 0;

    for (slot = QEMU_PCI_FIRST_FREE_SLOT; slot < QEMU_PCI_SLOTS; slot++) {
        if (set->used[slot] == 0)
            break;
    }
    if (slot == QEMU_PCI_SLOTS) {
        pfsReportErrorCode(PFS_ERR_INTERNAL_ERROR, "%s",
                           _("No more available PCI slots"));
        return -1;
    }

    set->used[slot] = 1;
    info->type = PFS_DOMAIN_DEVICE_ADDRESS_TYPE_PCI;
    info->addr.pci.domain = 0;
    info->addr.pci.bus = 0;
    info->addr.pci.slot = slot;
    info->addr.pci.function = 0;
    return 0;
}


/* The devices that sit on PCI, in the order libvirt gives them slots:
 * controllers, filesystems, network cards, disks, the balloon. */
static GPtrArray *
qemuDomainCollectPCIDevices(pfsDomainDef *def)
{
    GPtrArray *infos = g_ptr_array_new();
    size_t i;

    for (i = 0; i < def->ncontrollers; i++) {
        if (def->controllers[i]->type == PFS_DOMAIN_CONTROLLER_TYPE_SATA)
            g_ptr_array_add(infos, &def->controllers[i]->info);
    }
    for (i = 0; i < def->nfss; i++)
        g_ptr_array_add(infos, &def->fss[i]->info);
    for (i = 0; i < def->nnets; i++)
        g_ptr_array_add(infos, &def->nets[i]->info);
    for (i = 0; i < def->ndisks; i++) {
        if (def->disks[i]->bus == PFS_DOMAIN_DISK_BUS_VIRTIO)
            g_ptr_array_add(infos, &def->disks[i]->info);
    }
    if (def->memballoon &&
        def->memballoon->model == PFS_DOMAIN_MEMBALLOON_MODEL_VIRTIO)
        g_ptr_array_add(infos, &def->memballoon->info);
    return infos;
}


int
qemuDomainAssignPCIAddresses(pfsDomainDef *def)
{
    g_autoptr(GPtrArray) infos = qemuDomainCollectPCIDevices(def);
    qemuPCIAddressSet set = { { 0 } };
    guint i;

    for (i = 0; i < infos->len; i++) {
        if (qemuPCIAddressReserve(&set, g_ptr_array_index(infos, i)) < 0)
            return -1;
    }
    for (i = 0; i < infos->len; i++) {
        if (qemuPCIAddressAssign(&set, g_ptr_array_index(infos, i)) < 0)
            return -1;
    }
    return 0;
}
