/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_command_fs.c: -fsdev and the virtio-9p -device of <filesystem>
 *
 * For the local backend ('default'/'path') the strings are exactly the
 * ones libvirt 9.0 writes for QEMU 7.2, including the bare 'readonly'.
 * The proxy backend reaches its helper through an inherited socket (the
 * driver's and patched libvirt's way) or a socket path (the hook bridge
 * for a stock libvirtd, which cannot pass QEMU an fd):
 *   -fsdev proxy,id=fsdev-<alias>,sock_fd=<N>[,writeout=immediate][,readonly=on]
 *   -fsdev proxy,id=<id>,socket=<path>[,writeout=immediate][,readonly=on]
 * Every route builds its arguments here, so they cannot drift apart.
 */
#include "pfsinternal.h"

#include "pfserrorcode.h"
#include "qemu_alias.h"
#include "qemu_command_fs.h"
#include "qemu_command_util.h"

static const char *
qemuBuildFSSecurityModel(pfsDomainFSAccessMode mode)
{
    switch (mode) {
    case PFS_DOMAIN_FS_ACCESSMODE_DEFAULT:
    case PFS_DOMAIN_FS_ACCESSMODE_PASSTHROUGH:
        return "passthrough";
    case PFS_DOMAIN_FS_ACCESSMODE_MAPPED:
        return "mapped";
    case PFS_DOMAIN_FS_ACCESSMODE_SQUASH:
        return "none";
    case PFS_DOMAIN_FS_ACCESSMODE_LAST:
        break;
    }
    return "passthrough";
}


static char *
qemuBuildFSLocalStr(const pfsDomainFSDef *fs)
{
    g_autoptr(GString) buf = g_string_new("local");

    g_string_append_printf(buf, ",security_model=%s",
                           qemuBuildFSSecurityModel(fs->accessmode));
    if (fs->multidevs)
        g_string_append_printf(buf, ",multidevs=%s",
                               pfsDomainFSMultidevsTypeToString(fs->multidevs));
    if (fs->fmode)
        g_string_append_printf(buf, ",fmode=%04o", fs->fmode);
    if (fs->dmode)
        g_string_append_printf(buf, ",dmode=%04o", fs->dmode);
    if (fs->wrpolicy == PFS_DOMAIN_FS_WRPOLICY_IMMEDIATE)
        g_string_append(buf, ",writeout=immediate");
    g_string_append_printf(buf, ",id=" QEMU_FSDEV_HOST_PREFIX "%s", fs->info.alias);
    g_string_append(buf, ",path=");
    qemuBuildBufferEscapeComma(buf, fs->src);
    /* libvirt 9.0 writes the short form; QEMU 7.2 accepts it with a
     * deprecation warning */
    if (fs->readonly)
        g_string_append(buf, ",readonly");
    return g_string_free(g_steal_pointer(&buf), FALSE);
}


char *
qemuBuildFSProxyStr(const pfsDomainFSDef *fs, const qemuFSProxyParams *params)
{
    g_autoptr(GString) buf = g_string_new("proxy,id=");

    g_string_append(buf, params->fsdevID);
    if (params->socketPath) {
        g_string_append(buf, ",socket=");
        qemuBuildBufferEscapeComma(buf, params->socketPath);
    } else {
        g_string_append_printf(buf, ",sock_fd=%d", params->fd);
    }
    if (fs->wrpolicy == PFS_DOMAIN_FS_WRPOLICY_IMMEDIATE)
        g_string_append(buf, ",writeout=immediate");
    if (fs->readonly)
        g_string_append(buf, ",readonly=on");
    return g_string_free(g_steal_pointer(&buf), FALSE);
}


static const char *
qemuBuildFSDeviceDriver(pfsDomainFSModel model)
{
    switch (model) {
    case PFS_DOMAIN_FS_MODEL_DEFAULT:
    case PFS_DOMAIN_FS_MODEL_VIRTIO:
        return "virtio-9p-pci";
    case PFS_DOMAIN_FS_MODEL_VIRTIO_TRANSITIONAL:
        return "virtio-9p-pci-transitional";
    case PFS_DOMAIN_FS_MODEL_VIRTIO_NON_TRANSITIONAL:
        return "virtio-9p-pci-non-transitional";
    case PFS_DOMAIN_FS_MODEL_LAST:
        break;
    }
    return "virtio-9p-pci";
}


static void
qemuBuildVirtioOptionsProps(pfsJSONObject *props, const pfsDomainVirtioOptions *opts)
{
    if (opts->iommu)
        pfsJSONObjectAppendBool(props, "iommu_platform",
                                opts->iommu == PFS_TRISTATE_SWITCH_ON);
    if (opts->ats)
        pfsJSONObjectAppendBool(props, "ats", opts->ats == PFS_TRISTATE_SWITCH_ON);
    if (opts->packed)
        pfsJSONObjectAppendBool(props, "packed",
                                opts->packed == PFS_TRISTATE_SWITCH_ON);
    if (opts->page_per_vq)
        pfsJSONObjectAppendBool(props, "page-per-vq",
                                opts->page_per_vq == PFS_TRISTATE_SWITCH_ON);
}


char *
qemuBuildFSDevStr(const pfsDomainFSDef *fs,
                  const char *deviceID,
                  const char *fsdevID,
                  bool address)
{
    g_autoptr(pfsJSONObject) props = pfsJSONObjectNew();

    pfsJSONObjectAppendString(props, "driver", qemuBuildFSDeviceDriver(fs->model));
    qemuBuildVirtioOptionsProps(props, &fs->virtio);
    pfsJSONObjectAppendString(props, "id", deviceID);
    pfsJSONObjectAppendString(props, "fsdev", fsdevID);
    pfsJSONObjectAppendString(props, "mount_tag", fs->dst);
    if (address)
        qemuBuildDeviceAddressProps(props, &fs->info);
    return pfsJSONObjectFormat(props);
}


/* -device of @fs under the IDs libvirt gives it */
static void
qemuBuildFSDevCmd(pfsCmdline *cmd, const pfsDomainFSDef *fs, const char *fsdevID)
{
    pfsCmdlineAddArg(cmd, "-device");
    pfsCmdlineAddArgTake(cmd, qemuBuildFSDevStr(fs, fs->info.alias, fsdevID, true));
}


static int
qemuBuildFSProxyFD(const pfsDomainFSDef *fs,
                   size_t idx,
                   const int *fsProxyFDs,
                   size_t nfsProxyFDs,
                   int *fd)
{
    /* 0-2 are QEMU's stdio: a real socket is never one of them */
    if (idx >= nfsProxyFDs || fsProxyFDs[idx] <= 2) {
        pfsReportErrorCode(PFS_ERR_INTERNAL_ERROR,
                           _("no proxy helper socket for filesystem '%s'"),
                           fs->dst);
        return -1;
    }
    *fd = fsProxyFDs[idx];
    return 0;
}


int
qemuBuildFilesystemCommandLine(pfsCmdline *cmd,
                               const pfsDomainDef *def,
                               const int *fsProxyFDs,
                               size_t nfsProxyFDs)
{
    size_t i;

    for (i = 0; i < def->nfss; i++) {
        const pfsDomainFSDef *fs = def->fss[i];
        g_autofree char *fsdevID = g_strdup_printf(QEMU_FSDEV_HOST_PREFIX "%s",
                                                   fs->info.alias);
        qemuFSProxyParams proxy = { .fsdevID = fsdevID };

        switch (fs->fsdriver) {
        case PFS_DOMAIN_FS_DRIVER_TYPE_DEFAULT:
        case PFS_DOMAIN_FS_DRIVER_TYPE_PATH:
            pfsCmdlineAddArg(cmd, "-fsdev");
            pfsCmdlineAddArgTake(cmd, qemuBuildFSLocalStr(fs));
            qemuBuildFSDevCmd(cmd, fs, fsdevID);
            break;

        case PFS_DOMAIN_FS_DRIVER_TYPE_PROXY:
            if (qemuBuildFSProxyFD(fs, i, fsProxyFDs, nfsProxyFDs, &proxy.fd) < 0)
                return -1;
            pfsCmdlinePassFD(cmd, proxy.fd);
            pfsCmdlineAddArg(cmd, "-fsdev");
            pfsCmdlineAddArgTake(cmd, qemuBuildFSProxyStr(fs, &proxy));
            qemuBuildFSDevCmd(cmd, fs, fsdevID);
            break;

        case PFS_DOMAIN_FS_DRIVER_TYPE_HANDLE:
        case PFS_DOMAIN_FS_DRIVER_TYPE_LOOP:
        case PFS_DOMAIN_FS_DRIVER_TYPE_NBD:
        case PFS_DOMAIN_FS_DRIVER_TYPE_PLOOP:
        case PFS_DOMAIN_FS_DRIVER_TYPE_VIRTIOFS:
            /* refused by qemuValidateDomainDeviceDefFS() */
            pfsReportErrorCode(PFS_ERR_INTERNAL_ERROR,
                               _("filesystem driver '%s' has no command line"),
                               pfsDomainFSDriverTypeToString(fs->fsdriver));
            return -1;

        case PFS_DOMAIN_FS_DRIVER_TYPE_LAST:
        default:
            pfsReportErrorCode(PFS_ERR_INTERNAL_ERROR,
                               _("Unexpected enum value %d for %s"),
                               (int)fs->fsdriver, "pfsDomainFSDriverType");
            return -1;
        }
    }
    return 0;
}
