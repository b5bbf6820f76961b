/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain_postparse.c: the defaults libvirt fills in after parsing
 *
 * They are written into the definition, so the formatted XML shows
 * what the domain will really get (as libvirt's does).
 */
#include "pfsinternal.h"

#include <string.h>

#include "pfserrorcode.h"
#include "pfsrandom.h"
#include "domain_conf_priv.h"

static void
pfsDomainNetDefPostParse(pfsDomainNetDef *net)
{
    static const unsigned char zero[PFS_MAC_BUFLEN];

    if (memcmp(net->mac, zero, sizeof(zero)) != 0)
        return;
    /* QEMU's locally administered prefix, as libvirt uses */
    net->mac[0] = 0x52;
    net->mac[1] = 0x54;
    net->mac[2] = 0x00;
    pfsRandomBytes(net->mac + 3, 3);
}


static pfsDomainDiskBus
pfsDomainDiskBusFromTarget(const char *dst)
{
    if (g_str_has_prefix(dst, "vd"))
        return PFS_DOMAIN_DISK_BUS_VIRTIO;
    if (g_str_has_prefix(dst, "hd"))
        return PFS_DOMAIN_DISK_BUS_IDE;
    return PFS_DOMAIN_DISK_BUS_NONE;
}


static int
pfsDomainDiskDefPostParse(pfsDomainDiskDef *disk)
{
    if (disk->bus != PFS_DOMAIN_DISK_BUS_NONE)
        return 0;
    /* libvirt maps 'sd' to SCSI, which is not modelled: ask instead */
    if ((disk->bus = pfsDomainDiskBusFromTarget(disk->dst)) ==
        PFS_DOMAIN_DISK_BUS_NONE) {
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                           _("cannot guess the bus of disk '%s': give <target bus='virtio|sata|ide'/>"),
                           disk->dst);
        return -1;
    }
    return 0;
}


static unsigned int
pfsDomainSerialFreePort(const pfsDomainDef *def)
{
    unsigned int port;
    size_t i;

    for (port = 0; ; port++) {
        for (i = 0; i < def->nserials; i++) {
            if (def->serials[i]->port == port)
                break;
        }
        if (i == def->nserials)
            return port;
    }
}


static int
pfsDomainChrDefPostParse(pfsDomainDef *def)
{
    size_t i;

    for (i = 0; i < def->nserials; i++) {
        if (def->serials[i]->port == G_MAXUINT)
            def->serials[i]->port = pfsDomainSerialFreePort(def);
    }

    if (!def->console)
        return 0;
    if (def->console->port == G_MAXUINT)
        def->console->port = 0;

    /* a console without serial port describes that port */
    if (def->nserials == 0) {
        pfsDomainChrDef *serial = pfsDomainChrDefCopy(def->console);

        def->serials = g_new0(pfsDomainChrDef *, 1);
        def->serials[def->nserials++] = serial;
    }

    for (i = 0; i < def->nserials; i++) {
        const pfsDomainChrDef *serial = def->serials[i];

        if (serial->port != def->console->port)
            continue;
        if (serial->type != def->console->type ||
            g_strcmp0(serial->path, def->console->path) != 0) {
            pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                               _("the console must have the same type and source as serial port %u"),
                               serial->port);
            return -1;
        }
        return 0;
    }

    pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                       _("the console refers to serial port %u, which does not exist"),
                       def->console->port);
    return -1;
}


static bool
pfsDomainDefHasDeviceBoot(const pfsDomainDef *def)
{
    size_t i;

    for (i = 0; i < def->ndisks; i++)
        if (def->disks[i]->info.bootIndex)
            return true;
    for (i = 0; i < def->nfss; i++)
        if (def->fss[i]->info.bootIndex)
            return true;
    for (i = 0; i < def->nnets; i++)
        if (def->nets[i]->info.bootIndex)
            return true;
    return false;
}


/* SATA disks hang off an AHCI controller that takes a PCI slot, so the
 * controller is made explicit, as libvirt does. */
static void
pfsDomainDefAddImplicitControllers(pfsDomainDef *def)
{
    pfsDomainControllerDef *cont;
    size_t i;

    for (i = 0; i < def->ncontrollers; i++) {
        if (def->controllers[i]->type == PFS_DOMAIN_CONTROLLER_TYPE_SATA)
            return;
    }
    for (i = 0; i < def->ndisks; i++) {
        if (def->disks[i]->bus == PFS_DOMAIN_DISK_BUS_SATA)
            break;
    }
    if (i == def->ndisks)
        return;

    cont = g_new0(pfsDomainControllerDef, 1);
    cont->type = PFS_DOMAIN_CONTROLLER_TYPE_SATA;
    def->controllers = g_renew(pfsDomainControllerDef *, def->controllers,
                               def->ncontrollers + 1);
    def->controllers[def->ncontrollers++] = cont;
}


int
pfsDomainDefPostParse(pfsDomainDef *def)
{
    size_t i;

    if (!def->haveUUID)
        pfsUUIDGenerate(def->uuid);
    if (!def->curMemory)
        def->curMemory = def->memory;
    if (!def->vcpus)
        def->vcpus = 1;

    if (!def->os.arch)
        def->os.arch = g_strdup("x86_64");
    if (!def->os.machine)
        def->os.machine = g_strdup("pc");
    if (!def->emulator)
        def->emulator = g_strdup_printf("/usr/bin/qemu-system-%s", def->os.arch);

    if (!def->onPoweroff)
        def->onPoweroff = PFS_DOMAIN_LIFECYCLE_ACTION_DESTROY;
    if (!def->onReboot)
        def->onReboot = PFS_DOMAIN_LIFECYCLE_ACTION_RESTART;
    if (!def->onCrash)
        def->onCrash = PFS_DOMAIN_LIFECYCLE_ACTION_DESTROY;

    for (i = 0; i < def->ndisks; i++) {
        if (pfsDomainDiskDefPostParse(def->disks[i]) < 0)
            return -1;
    }
    pfsDomainDefAddImplicitControllers(def);

    /* like libvirt: without any boot setting, boot from the first disk */
    if (def->os.nBootDevs == 0 && !pfsDomainDefHasDeviceBoot(def))
        def->os.bootDevs[def->os.nBootDevs++] = PFS_DOMAIN_BOOT_HD;

    /* 9p gets an explicit mode; a vhost-user socket has none */
    for (i = 0; i < def->nfss; i++) {
        pfsDomainFSDef *fs = def->fss[i];

        if (fs->accessmode == PFS_DOMAIN_FS_ACCESSMODE_DEFAULT && !fs->sock)
            fs->accessmode = PFS_DOMAIN_FS_ACCESSMODE_PASSTHROUGH;
    }

    for (i = 0; i < def->nnets; i++)
        pfsDomainNetDefPostParse(def->nets[i]);

    if (pfsDomainChrDefPostParse(def) < 0)
        return -1;

    if (!def->memballoon) {
        def->memballoon = g_new0(pfsDomainMemballoonDef, 1);
        def->memballoon->model = PFS_DOMAIN_MEMBALLOON_MODEL_VIRTIO;
    }
    return 0;
}
