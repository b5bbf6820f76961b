/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain_validate.c: checks that do not depend on the hypervisor
 */
#include "pfsinternal.h"

#include "pfserrorcode.h"
#include "domain_conf_priv.h"

/* Visit the device info of every device, in document order. */
typedef int (*pfsDomainDeviceInfoCallback)(const pfsDomainDeviceInfo *info,
                                           void *opaque);

static int
pfsDomainDeviceInfoIterate(const pfsDomainDef *def,
                           pfsDomainDeviceInfoCallback cb,
                           void *opaque)
{
    size_t i;

    for (i = 0; i < def->ndisks; i++)
        if (cb(&def->disks[i]->info, opaque) < 0)
            return -1;
    for (i = 0; i < def->ncontrollers; i++)
        if (cb(&def->controllers[i]->info, opaque) < 0)
            return -1;
    for (i = 0; i < def->nfss; i++)
        if (cb(&def->fss[i]->info, opaque) < 0)
            return -1;
    for (i = 0; i < def->nnets; i++)
        if (cb(&def->nets[i]->info, opaque) < 0)
            return -1;
    for (i = 0; i < def->nserials; i++)
        if (cb(&def->serials[i]->info, opaque) < 0)
            return -1;
    if (def->memballoon && cb(&def->memballoon->info, opaque) < 0)
        return -1;
    return 0;
}


static int
pfsDomainDefValidateAliasOne(const pfsDomainDeviceInfo *info, void *opaque)
{
    GHashTable *seen = opaque;

    if (!info->alias)
        return 0;
    if (!g_hash_table_add(seen, info->alias)) {
        pfsReportErrorCode(PFS_ERR_XML_ERROR,
                           _("non unique alias detected: %s"), info->alias);
        return -1;
    }
    return 0;
}


typedef struct {
    bool haveBoot;
    GHashTable *orders;
} pfsDomainBootCheck;

static int
pfsDomainDefValidateBootOne(const pfsDomainDeviceInfo *info, void *opaque)
{
    pfsDomainBootCheck *check = opaque;

    if (!info->bootIndex)
        return 0;
    check->haveBoot = true;
    if (!g_hash_table_add(check->orders, GUINT_TO_POINTER(info->bootIndex))) {
        pfsReportErrorCode(PFS_ERR_XML_ERROR,
                           _("boot order '%u' used for more than one device"),
                           info->bootIndex);
        return -1;
    }
    return 0;
}


static int
pfsDomainDefValidateDevicesCommon(const pfsDomainDef *def)
{
    g_autoptr(GHashTable) aliases = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GHashTable) orders = g_hash_table_new(NULL, NULL);
    pfsDomainBootCheck boot = { false, orders };

    if (pfsDomainDeviceInfoIterate(def, pfsDomainDefValidateAliasOne, aliases) < 0 ||
        pfsDomainDeviceInfoIterate(def, pfsDomainDefValidateBootOne, &boot) < 0)
        return -1;

    if (boot.haveBoot && def->os.nBootDevs > 0) {
        pfsReportErrorCode(PFS_ERR_XML_ERROR, "%s",
                           _("per-device boot elements cannot be used together with os/boot elements"));
        return -1;
    }
    return 0;
}


/* A helper-backed share (virtiofs, or proxy here) is found by its tag,
 * so no other filesystem may use the same one. */
static bool
pfsDomainFSNeedsUniqueTarget(const pfsDomainFSDef *fs)
{
    return fs->fsdriver == PFS_DOMAIN_FS_DRIVER_TYPE_VIRTIOFS ||
           fs->fsdriver == PFS_DOMAIN_FS_DRIVER_TYPE_PROXY;
}


static int
pfsDomainDefValidateFSs(const pfsDomainDef *def)
{
    size_t i;
    size_t j;

    for (i = 0; i < def->nfss; i++) {
        const pfsDomainFSDef *fs = def->fss[i];

        if (!fs->dst) {
            pfsReportErrorCode(PFS_ERR_NO_TARGET, "%s",
                               fs->src ? fs->src : PFS_NULLSTR(fs->sock));
            return -1;
        }
        if (fs->info.bootIndex &&
            fs->fsdriver != PFS_DOMAIN_FS_DRIVER_TYPE_VIRTIOFS) {
            pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED, "%s",
                               _("boot order is only supported for virtiofs"));
            return -1;
        }
    }

    for (i = 0; i < def->nfss; i++) {
        for (j = i + 1; j < def->nfss; j++) {
            if (g_strcmp0(def->fss[i]->dst, def->fss[j]->dst) != 0)
                continue;
            if (!pfsDomainFSNeedsUniqueTarget(def->fss[i]) &&
                !pfsDomainFSNeedsUniqueTarget(def->fss[j]))
                continue;
            pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                               _("filesystem target '%s' specified twice"),
                               def->fss[i]->dst);
            return -1;
        }
    }
    return 0;
}


static int
pfsDomainDefValidateDisks(const pfsDomainDef *def)
{
    size_t i;
    size_t j;

    for (i = 0; i < def->ndisks; i++) {
        for (j = i + 1; j < def->ndisks; j++) {
            if (g_strcmp0(def->disks[i]->dst, def->disks[j]->dst) == 0) {
                pfsReportErrorCode(PFS_ERR_XML_ERROR,
                                   _("target '%s' duplicated for disk sources '%s' and '%s'"),
                                   def->disks[i]->dst,
                                   PFS_NULLSTR(def->disks[i]->src),
                                   PFS_NULLSTR(def->disks[j]->src));
                return -1;
            }
        }
    }
    return 0;
}


static int
pfsDomainDefValidateSerials(const pfsDomainDef *def)
{
    size_t i;
    size_t j;

    for (i = 0; i < def->nserials; i++) {
        for (j = i + 1; j < def->nserials; j++) {
            if (def->serials[i]->port == def->serials[j]->port) {
                pfsReportErrorCode(PFS_ERR_XML_ERROR,
                                   _("serial port %u is used twice"),
                                   def->serials[i]->port);
                return -1;
            }
        }
    }
    return 0;
}


int
pfsDomainDefValidate(const pfsDomainDef *def)
{
    if (def->curMemory > def->memory) {
        pfsReportErrorCode(PFS_ERR_CONFIG_UNSUPPORTED,
                           _("currentMemory (%llu KiB) must not be larger than memory (%llu KiB)"),
                           def->curMemory, def->memory);
        return -1;
    }

    if (pfsDomainDefValidateDevicesCommon(def) < 0 ||
        pfsDomainDefValidateFSs(def) < 0 ||
        pfsDomainDefValidateDisks(def) < 0 ||
        pfsDomainDefValidateSerials(def) < 0)
        return -1;
    return 0;
}
