/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain_format.c: the inactive domain XML of a pfsDomainDef
 *
 * Elements come in libvirt's order so that the output reads like what
 * "virsh dumpxml --inactive" prints.
 */
#include "pfsinternal.h"

#include "domain_conf_priv.h"

static void
pfsDomainOSFormat(pfsBuffer *buf, const pfsDomainDef *def)
{
    size_t i;

    pfsBufferAdd(buf, "<os>\n");
    pfsBufferAdjustIndent(buf, 2);
    pfsBufferEscapeString(buf, "<type arch='%s'", def->os.arch);
    pfsBufferEscapeString(buf, " machine='%s'", def->os.machine);
    pfsBufferEscapeString(buf, ">%s</type>\n", def->os.type);
    if (def->os.kernel)
        pfsBufferEscapeString(buf, "<kernel>%s</kernel>\n", def->os.kernel);
    if (def->os.initrd)
        pfsBufferEscapeString(buf, "<initrd>%s</initrd>\n", def->os.initrd);
    if (def->os.cmdline)
        pfsBufferEscapeString(buf, "<cmdline>%s</cmdline>\n", def->os.cmdline);
    for (i = 0; i < def->os.nBootDevs; i++)
        pfsBufferAsprintf(buf, "<boot dev='%s'/>\n",
                          pfsDomainBootDevTypeToString(def->os.bootDevs[i]));
    pfsBufferAdjustIndent(buf, -2);
    pfsBufferAdd(buf, "</os>\n");
}


static void
pfsDomainDevicesFormat(pfsBuffer *buf, const pfsDomainDef *def)
{
    size_t i;

    pfsBufferAdd(buf, "<devices>\n");
    pfsBufferAdjustIndent(buf, 2);
    pfsBufferEscapeString(buf, "<emulator>%s</emulator>\n", def->emulator);
    for (i = 0; i < def->ndisks; i++)
        pfsDomainDiskDefFormat(buf, def->disks[i]);
    for (i = 0; i < def->ncontrollers; i++)
        pfsDomainControllerDefFormat(buf, def->controllers[i]);
    for (i = 0; i < def->nfss; i++)
        pfsDomainFSDefFormat(buf, def->fss[i]);
    for (i = 0; i < def->nnets; i++)
        pfsDomainNetDefFormat(buf, def->nets[i]);
    for (i = 0; i < def->nserials; i++)
        pfsDomainChrDefFormat(buf, def->serials[i], false);
    if (def->console)
        pfsDomainChrDefFormat(buf, def->console, true);
    if (def->memballoon)
        pfsDomainMemballoonDefFormat(buf, def->memballoon);
    pfsBufferAdjustIndent(buf, -2);
    pfsBufferAdd(buf, "</devices>\n");
}


static void
pfsDomainSeclabelFormat(pfsBuffer *buf, const pfsDomainSeclabelDef *sec)
{
    pfsBufferAsprintf(buf, "<seclabel type='%s' model='dac'",
                      pfsDomainSeclabelTypeToString(sec->type));
    if (sec->relabel)
        pfsBufferAsprintf(buf, " relabel='%s'",
                          sec->relabel == PFS_TRISTATE_SWITCH_ON ? "yes" : "no");
    if (!sec->label) {
        pfsBufferAdd(buf, "/>\n");
        return;
    }
    pfsBufferAdd(buf, ">\n");
    pfsBufferEscapeString(buf, "  <label>%s</label>\n", sec->label);
    pfsBufferAdd(buf, "</seclabel>\n");
}


char *
pfsDomainDefFormat(const pfsDomainDef *def)
{
    g_auto(pfsBuffer) buf = PFS_BUFFER_INITIALIZER;
    char uuid[PFS_UUID_STRING_BUFLEN];

    pfsUUIDFormat(def->uuid, uuid);

    pfsBufferAsprintf(&buf, "<domain type='%s'>\n",
                      pfsDomainVirtTypeToString(def->virtType));
    pfsBufferAdjustIndent(&buf, 2);
    pfsBufferEscapeString(&buf, "<name>%s</name>\n", def->name);
    pfsBufferAsprintf(&buf, "<uuid>%s</uuid>\n", uuid);
    pfsBufferAsprintf(&buf, "<memory unit='KiB'>%llu</memory>\n", def->memory);
    pfsBufferAsprintf(&buf, "<currentMemory unit='KiB'>%llu</currentMemory>\n",
                      def->curMemory);
    pfsBufferAsprintf(&buf, "<vcpu placement='static'>%u</vcpu>\n", def->vcpus);
    pfsDomainOSFormat(&buf, def);

    if (def->acpi || def->apic) {
        pfsBufferAdd(&buf, "<features>\n");
        if (def->acpi)
            pfsBufferAdd(&buf, "  <acpi/>\n");
        if (def->apic)
            pfsBufferAdd(&buf, "  <apic/>\n");
        pfsBufferAdd(&buf, "</features>\n");
    }
    if (def->haveClock)
        pfsBufferAsprintf(&buf, "<clock offset='%s'/>\n",
                          pfsDomainClockOffsetTypeToString(def->clockOffset));
    pfsBufferAsprintf(&buf, "<on_poweroff>%s</on_poweroff>\n",
                      pfsDomainLifecycleActionTypeToString(def->onPoweroff));
    pfsBufferAsprintf(&buf, "<on_reboot>%s</on_reboot>\n",
                      pfsDomainLifecycleActionTypeToString(def->onReboot));
    pfsBufferAsprintf(&buf, "<on_crash>%s</on_crash>\n",
                      pfsDomainLifecycleActionTypeToString(def->onCrash));

    pfsDomainDevicesFormat(&buf, def);
    if (def->seclabel)
        pfsDomainSeclabelFormat(&buf, def->seclabel);

    pfsBufferAdjustIndent(&buf, -2);
    pfsBufferAdd(&buf, "</domain>\n");
    return pfsBufferContentAndReset(&buf);
}
