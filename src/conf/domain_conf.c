/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain_conf.c: string tables and life cycle of the domain model
 */
#include "pfsinternal.h"

#include <stdio.h>
#include <string.h>

#include "domain_conf.h"

PFS_ENUM_IMPL(pfsDomainDeviceAddress, PFS_DOMAIN_DEVICE_ADDRESS_TYPE_LAST,
              "none", "pci", "drive");

PFS_ENUM_IMPL(pfsDomainFS, PFS_DOMAIN_FS_TYPE_LAST,
              "mount", "block", "file", "template", "ram", "bind", "volume");

PFS_ENUM_IMPL(pfsDomainFSDriver, PFS_DOMAIN_FS_DRIVER_TYPE_LAST,
              "default", "path", "handle", "loop", "nbd", "ploop",
              "virtiofs", "proxy");

PFS_ENUM_IMPL(pfsDomainFSAccessMode, PFS_DOMAIN_FS_ACCESSMODE_LAST,
              "", "passthrough", "mapped", "squash");

PFS_ENUM_IMPL(pfsDomainFSWrpolicy, PFS_DOMAIN_FS_WRPOLICY_LAST,
              "default", "immediate");

PFS_ENUM_IMPL(pfsDomainFSModel, PFS_DOMAIN_FS_MODEL_LAST,
              "default", "virtio", "virtio-transitional",
              "virtio-non-transitional");

PFS_ENUM_IMPL(pfsDomainFSMultidevs, PFS_DOMAIN_FS_MULTIDEVS_LAST,
              "default", "remap", "forbid", "warn");

PFS_ENUM_IMPL(pfsStorageFileFormat, PFS_STORAGE_FILE_LAST,
              "none", "raw", "dir", "bochs", "cloop", "dmg", "iso", "vpc",
              "vdi", "fat", "vhd", "ploop", "cow", "qcow", "qcow2", "qed",
              "vmdk");

PFS_ENUM_IMPL(pfsDomainDisk, PFS_DOMAIN_DISK_TYPE_LAST,
              "file", "block");

PFS_ENUM_IMPL(pfsDomainDiskDevice, PFS_DOMAIN_DISK_DEVICE_LAST,
              "disk", "cdrom");

PFS_ENUM_IMPL(pfsDomainDiskBus, PFS_DOMAIN_DISK_BUS_LAST,
              "none", "ide", "virtio", "sata");

PFS_ENUM_IMPL(pfsDomainController, PFS_DOMAIN_CONTROLLER_TYPE_LAST,
              "ide", "sata", "usb", "pci");

PFS_ENUM_IMPL(pfsDomainNet, PFS_DOMAIN_NET_TYPE_LAST,
              "user");

PFS_ENUM_IMPL(pfsDomainNetModel, PFS_DOMAIN_NET_MODEL_LAST,
              "default", "virtio", "e1000", "rtl8139");

PFS_ENUM_IMPL(pfsDomainChr, PFS_DOMAIN_CHR_TYPE_LAST,
              "pty", "file", "stdio");

PFS_ENUM_IMPL(pfsDomainMemballoonModel, PFS_DOMAIN_MEMBALLOON_MODEL_LAST,
              "virtio", "none");

PFS_ENUM_IMPL(pfsDomainVirt, PFS_DOMAIN_VIRT_LAST,
              "qemu", "kvm");

PFS_ENUM_IMPL(pfsDomainBootDev, PFS_DOMAIN_BOOT_LAST,
              "hd", "cdrom", "network");

PFS_ENUM_IMPL(pfsDomainLifecycleAction, PFS_DOMAIN_LIFECYCLE_ACTION_LAST,
              "", "destroy", "restart", "rename-restart", "preserve",
              "coredump-destroy", "coredump-restart");

PFS_ENUM_IMPL(pfsDomainClockOffset, PFS_DOMAIN_CLOCK_OFFSET_LAST,
              "utc", "localtime");

PFS_ENUM_IMPL(pfsDomainSeclabel, PFS_DOMAIN_SECLABEL_LAST,
              "", "none", "dynamic", "static");


bool
pfsDomainDeviceAliasIsUserAlias(const char *alias)
{
    return alias && g_str_has_prefix(alias, PFS_DOMAIN_USER_ALIAS_PREFIX);
}


void
pfsDomainDeviceInfoClear(pfsDomainDeviceInfo *info)
{
    g_clear_pointer(&info->alias, g_free);
    memset(info, 0, sizeof(*info));
}


pfsDomainFSDef *
pfsDomainFSDefNew(void)
{
    return g_new0(pfsDomainFSDef, 1);
}


void
pfsDomainFSDefFree(pfsDomainFSDef *def)
{
    if (!def)
        return;
    g_free(def->src);
    g_free(def->srcUnits);
    g_free(def->srcPool);
    g_free(def->sock);
    g_free(def->dst);
    g_free(def->binary);
    pfsDomainDeviceInfoClear(&def->info);
    g_free(def);
}


pfsDomainDiskDef *
pfsDomainDiskDefNew(void)
{
    return g_new0(pfsDomainDiskDef, 1);
}


void
pfsDomainDiskDefFree(pfsDomainDiskDef *def)
{
    if (!def)
        return;
    g_free(def->src);
    g_free(def->dst);
    pfsDomainDeviceInfoClear(&def->info);
    g_free(def);
}


void
pfsDomainControllerDefFree(pfsDomainControllerDef *def)
{
    if (!def)
        return;
    g_free(def->model);
    pfsDomainDeviceInfoClear(&def->info);
    g_free(def);
}


void
pfsDomainNetDefFree(pfsDomainNetDef *def)
{
    if (!def)
        return;
    pfsDomainDeviceInfoClear(&def->info);
    g_free(def);
}


void
pfsDomainChrDefFree(pfsDomainChrDef *def)
{
    if (!def)
        return;
    g_free(def->path);
    pfsDomainDeviceInfoClear(&def->info);
    g_free(def);
}


pfsDomainChrDef *
pfsDomainChrDefCopy(const pfsDomainChrDef *src)
{
    pfsDomainChrDef *dst = g_new0(pfsDomainChrDef, 1);

    *dst = *src;
    dst->path = g_strdup(src->path);
    dst->info.alias = g_strdup(src->info.alias);
    return dst;
}


void
pfsDomainMemballoonDefFree(pfsDomainMemballoonDef *def)
{
    if (!def)
        return;
    pfsDomainDeviceInfoClear(&def->info);
    g_free(def);
}


void
pfsDomainSeclabelDefFree(pfsDomainSeclabelDef *def)
{
    if (!def)
        return;
    g_free(def->label);
    g_free(def->user);
    g_free(def->group);
    g_free(def);
}


pfsDomainDef *
pfsDomainDefNew(void)
{
    return g_new0(pfsDomainDef, 1);
}


/* Free an array of device pointers with @freefn. */
#define PFS_FREE_DEVICES(list, n, freefn) \
    do { \
        size_t _i; \
        for (_i = 0; _i < (n); _i++) \
            freefn((list)[_i]); \
        g_free(list); \
    } while (0)

void
pfsDomainDefFree(pfsDomainDef *def)
{
    if (!def)
        return;
    g_free(def->name);
    g_free(def->os.type);
    g_free(def->os.arch);
    g_free(def->os.machine);
    g_free(def->os.kernel);
    g_free(def->os.initrd);
    g_free(def->os.cmdline);
    g_free(def->emulator);
    PFS_FREE_DEVICES(def->disks, def->ndisks, pfsDomainDiskDefFree);
    PFS_FREE_DEVICES(def->controllers, def->ncontrollers, pfsDomainControllerDefFree);
    PFS_FREE_DEVICES(def->fss, def->nfss, pfsDomainFSDefFree);
    PFS_FREE_DEVICES(def->nets, def->nnets, pfsDomainNetDefFree);
    PFS_FREE_DEVICES(def->serials, def->nserials, pfsDomainChrDefFree);
    pfsDomainChrDefFree(def->console);
    pfsDomainMemballoonDefFree(def->memballoon);
    pfsDomainSeclabelDefFree(def->seclabel);
    g_free(def);
}


void
pfsMacAddrFormat(const unsigned char *mac, char *str)
{
    snprintf(str, PFS_MAC_STRING_BUFLEN, "%02x:%02x:%02x:%02x:%02x:%02x",
             mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}


int
pfsMacAddrParse(const char *str, unsigned char *mac)
{
    size_t i;

    if (strlen(str) != PFS_MAC_STRING_BUFLEN - 1)
        return -1;
    for (i = 0; i < PFS_MAC_BUFLEN; i++) {
        int hi = g_ascii_xdigit_value(str[i * 3]);
        int lo = g_ascii_xdigit_value(str[i * 3 + 1]);

        if (hi < 0 || lo < 0)
            return -1;
        if (i < PFS_MAC_BUFLEN - 1 && str[i * 3 + 2] != ':')
            return -1;
        mac[i] = (hi << 4) | lo;
    }
    return 0;
}
