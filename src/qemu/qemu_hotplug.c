/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_hotplug.c: which devices may be added to a running domain
 *
 * libvirt hotplugs only virtiofs filesystems. The proxy backend could
 * not be added later anyway: QEMU takes the helper's socket as an fd
 * number inherited at start-up (sock_fd=N), which device_add cannot
 * supply.
 */
#include "pfsinternal.h"

#include "pfserrorcode.h"
#include "qemu_hotplug.h"
#include "qemu_validate.h"

int
qemuDomainFSHotplugValidate(const pfsDomainFSDef *fs)
{
    if (fs->fsdriver != PFS_DOMAIN_FS_DRIVER_TYPE_VIRTIOFS) {
        pfsReportErrorCode(PFS_ERR_OPERATION_UNSUPPORTED, "%s",
                           _("only virtiofs filesystems can be hotplugged"));
        return -1;
    }
    return qemuValidateDomainDeviceDefFS(fs);
}
