/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_command_util.c: pieces every device builder uses
 *
 * Below qemu_command.c and the per-device builders alike, so that the
 * whole command line calls down into the devices and the devices call
 * down into this, never back up.
 */
#include "pfsinternal.h"

#include "qemu_command_util.h"

void
qemuBuildBufferEscapeComma(GString *buf, const char *str)
{
    const char *p;

    for (p = str; *p; p++) {
        if (*p == ',')
            g_string_append_c(buf, ',');
        g_string_append_c(buf, *p);
    }
}


void
qemuBuildDeviceAddressProps(pfsJSONObject *props,
                            const pfsDomainDeviceInfo *info)
{
    g_autofree char *addr = NULL;

    if (info->type != PFS_DOMAIN_DEVICE_ADDRESS_TYPE_PCI)
        return;

    if (info->addr.pci.function)
        addr = g_strdup_printf("0x%x.0x%x", info->addr.pci.slot,
                               info->addr.pci.function);
    else
        addr = g_strdup_printf("0x%x", info->addr.pci.slot);

    pfsJSONObjectAppendString(props, "bus", "pci.0");
    if (info->addr.pci.multi != PFS_TRISTATE_SWITCH_ABSENT)
        pfsJSONObjectAppendBool(props, "multifunction",
                                info->addr.pci.multi == PFS_TRISTATE_SWITCH_ON);
    pfsJSONObjectAppendString(props, "addr", addr);
}


void
qemuBuildDeviceCommandLineFromJSON(pfsCmdline *cmd,
                                   const pfsJSONObject *props)
{
    pfsCmdlineAddArg(cmd, "-device");
    pfsCmdlineAddArgTake(cmd, pfsJSONObjectFormat(props));
}
