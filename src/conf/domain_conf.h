/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain_conf.h: the project's model of a libvirt domain document
 *
 * Only the parts of libvirt's domain XML that virt-proxyfs handles are
 * modelled; the parser refuses everything else by name, so nothing a
 * user wrote is dropped silently.
 */
#pragma once

#include "pfsinternal.h"
#include "pfsenum.h"
#include "pfsuuid.h"
#include "pfsxml.h"

/* ---- common device information ---- */

typedef enum {
    PFS_DOMAIN_DEVICE_ADDRESS_TYPE_NONE = 0,
    PFS_DOMAIN_DEVICE_ADDRESS_TYPE_PCI,
    PFS_DOMAIN_DEVICE_ADDRESS_TYPE_DRIVE,

    PFS_DOMAIN_DEVICE_ADDRESS_TYPE_LAST
} pfsDomainDeviceAddressType;
PFS_ENUM_DECL(pfsDomainDeviceAddress);

typedef struct _pfsPCIAddress pfsPCIAddress;
struct _pfsPCIAddress {
    unsigned int domain;
    unsigned int bus;
    unsigned int slot;
    unsigned int function;
    pfsTristateSwitch multi;
};

typedef struct _pfsDriveAddress pfsDriveAddress;
struct _pfsDriveAddress {
    unsigned int controller;
    unsigned int bus;
    unsigned int target;
    unsigned int unit;
};

typedef struct _pfsDomainDeviceInfo pfsDomainDeviceInfo;
struct _pfsDomainDeviceInfo {
    /* a user alias ("ua-...") from the XML, or the alias the QEMU driver
     * assigned; only user aliases are formatted */
    char *alias;
    pfsDomainDeviceAddressType type;
    union {
        pfsPCIAddress pci;
        pfsDriveAddress drive;
    } addr;
    unsigned int bootIndex;            /* <boot order='N'/>, 0 when absent */
    unsigned int effectiveBootIndex;   /* bootIndex or from <os><boot dev> */
};

#define PFS_DOMAIN_USER_ALIAS_PREFIX "ua-"
#define PFS_DOMAIN_USER_ALIAS_CHARS \
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"

bool pfsDomainDeviceAliasIsUserAlias(const char *alias);

/* ---- <filesystem> ---- */

typedef enum {
    PFS_DOMAIN_FS_TYPE_MOUNT = 0,   /* the default */
    PFS_DOMAIN_FS_TYPE_BLOCK,
    PFS_DOMAIN_FS_TYPE_FILE,
    PFS_DOMAIN_FS_TYPE_TEMPLATE,
    PFS_DOMAIN_FS_TYPE_RAM,
    PFS_DOMAIN_FS_TYPE_BIND,
    PFS_DOMAIN_FS_TYPE_VOLUME,

    PFS_DOMAIN_FS_TYPE_LAST
} pfsDomainFSType;
PFS_ENUM_DECL(pfsDomainFS);

typedef enum {
    PFS_DOMAIN_FS_DRIVER_TYPE_DEFAULT = 0,
    PFS_DOMAIN_FS_DRIVER_TYPE_PATH,
    PFS_DOMAIN_FS_DRIVER_TYPE_HANDLE,
    PFS_DOMAIN_FS_DRIVER_TYPE_LOOP,
    PFS_DOMAIN_FS_DRIVER_TYPE_NBD,
    PFS_DOMAIN_FS_DRIVER_TYPE_PLOOP,
    PFS_DOMAIN_FS_DRIVER_TYPE_VIRTIOFS,
    PFS_DOMAIN_FS_DRIVER_TYPE_PROXY,   /* what this project adds */

    PFS_DOMAIN_FS_DRIVER_TYPE_LAST
} pfsDomainFSDriverType;
PFS_ENUM_DECL(pfsDomainFSDriver);

typedef enum {
    PFS_DOMAIN_FS_ACCESSMODE_DEFAULT = 0,
    PFS_DOMAIN_FS_ACCESSMODE_PASSTHROUGH,
    PFS_DOMAIN_FS_ACCESSMODE_MAPPED,
    PFS_DOMAIN_FS_ACCESSMODE_SQUASH,

    PFS_DOMAIN_FS_ACCESSMODE_LAST
} pfsDomainFSAccessMode;
PFS_ENUM_DECL(pfsDomainFSAccessMode);

typedef enum {
    PFS_DOMAIN_FS_WRPOLICY_DEFAULT = 0,
    PFS_DOMAIN_FS_WRPOLICY_IMMEDIATE,

    PFS_DOMAIN_FS_WRPOLICY_LAST
} pfsDomainFSWrpolicy;
PFS_ENUM_DECL(pfsDomainFSWrpolicy);

typedef enum {
    PFS_DOMAIN_FS_MODEL_DEFAULT = 0,
    PFS_DOMAIN_FS_MODEL_VIRTIO,
    PFS_DOMAIN_FS_MODEL_VIRTIO_TRANSITIONAL,
    PFS_DOMAIN_FS_MODEL_VIRTIO_NON_TRANSITIONAL,

    PFS_DOMAIN_FS_MODEL_LAST
} pfsDomainFSModel;
PFS_ENUM_DECL(pfsDomainFSModel);

typedef enum {
    PFS_DOMAIN_FS_MULTIDEVS_DEFAULT = 0,
    PFS_DOMAIN_FS_MULTIDEVS_REMAP,
    PFS_DOMAIN_FS_MULTIDEVS_FORBID,
    PFS_DOMAIN_FS_MULTIDEVS_WARN,

    PFS_DOMAIN_FS_MULTIDEVS_LAST
} pfsDomainFSMultidevs;
PFS_ENUM_DECL(pfsDomainFSMultidevs);

/* The disk image formats libvirt knows, for <driver format='...'>. */
typedef enum {
    PFS_STORAGE_FILE_NONE = 0,
    PFS_STORAGE_FILE_RAW,
    PFS_STORAGE_FILE_DIR,
    PFS_STORAGE_FILE_BOCHS,
    PFS_STORAGE_FILE_CLOOP,
    PFS_STORAGE_FILE_DMG,
    PFS_STORAGE_FILE_ISO,
    PFS_STORAGE_FILE_VPC,
    PFS_STORAGE_FILE_VDI,
    PFS_STORAGE_FILE_FAT,
    PFS_STORAGE_FILE_VHD,
    PFS_STORAGE_FILE_PLOOP,
    PFS_STORAGE_FILE_COW,
    PFS_STORAGE_FILE_QCOW,
    PFS_STORAGE_FILE_QCOW2,
    PFS_STORAGE_FILE_QED,
    PFS_STORAGE_FILE_VMDK,

    PFS_STORAGE_FILE_LAST
} pfsStorageFileFormat;
PFS_ENUM_DECL(pfsStorageFileFormat);

/* The virtio options of <driver>, shared by every virtio device. */
typedef struct _pfsDomainVirtioOptions pfsDomainVirtioOptions;
struct _pfsDomainVirtioOptions {
    pfsTristateSwitch iommu;
    pfsTristateSwitch ats;
    pfsTristateSwitch packed;
    pfsTristateSwitch page_per_vq;
};

typedef struct _pfsDomainFSDef pfsDomainFSDef;
struct _pfsDomainFSDef {
    pfsDomainFSType type;
    pfsDomainFSDriverType fsdriver;
    pfsDomainFSAccessMode accessmode;
    pfsStorageFileFormat format;
    pfsDomainFSWrpolicy wrpolicy;
    pfsDomainFSModel model;
    pfsDomainFSMultidevs multidevs;
    unsigned int fmode;   /* 0 when absent */
    unsigned int dmode;
    unsigned int queue;   /* virtiofs only */

    /* the host side: <source dir|file|dev|name|usage> by type */
    char *src;
    char *srcUnits;       /* ram: <source units> */
    char *srcPool;        /* volume: <source pool> */
    char *sock;           /* <source socket>, vhost-user only */
    char *dst;            /* <target dir>: the 9p mount tag */
    char *binary;         /* <binary path>: helper (proxy, virtiofs) */
    bool readonly;
    unsigned long long spaceHardLimit;   /* bytes, 0 when absent */
    unsigned long long spaceSoftLimit;

    pfsDomainVirtioOptions virtio;
    pfsDomainDeviceInfo info;
};

/* ---- <disk> ---- */

typedef enum {
    PFS_DOMAIN_DISK_TYPE_FILE = 0,
    PFS_DOMAIN_DISK_TYPE_BLOCK,

    PFS_DOMAIN_DISK_TYPE_LAST
} pfsDomainDiskType;
PFS_ENUM_DECL(pfsDomainDisk);

typedef enum {
    PFS_DOMAIN_DISK_DEVICE_DISK = 0,
    PFS_DOMAIN_DISK_DEVICE_CDROM,

    PFS_DOMAIN_DISK_DEVICE_LAST
} pfsDomainDiskDevice;
PFS_ENUM_DECL(pfsDomainDiskDevice);

typedef enum {
    PFS_DOMAIN_DISK_BUS_NONE = 0,
    PFS_DOMAIN_DISK_BUS_IDE,
    PFS_DOMAIN_DISK_BUS_VIRTIO,
    PFS_DOMAIN_DISK_BUS_SATA,

    PFS_DOMAIN_DISK_BUS_LAST
} pfsDomainDiskBus;
PFS_ENUM_DECL(pfsDomainDiskBus);

typedef struct _pfsDomainDiskDef pfsDomainDiskDef;
struct _pfsDomainDiskDef {
    pfsDomainDiskType type;
    pfsDomainDiskDevice device;
    pfsStorageFileFormat format;   /* raw or qcow2; NONE means raw */
    char *src;                     /* file or block device; may be NULL
                                    * for an empty cdrom */
    char *dst;                     /* vda, sda, hdc, ... */
    pfsDomainDiskBus bus;
    bool readonly;
    pfsDomainDeviceInfo info;
};

/* ---- <controller> (only what the formatter gives back) ---- */

typedef enum {
    PFS_DOMAIN_CONTROLLER_TYPE_IDE = 0,
    PFS_DOMAIN_CONTROLLER_TYPE_SATA,
    PFS_DOMAIN_CONTROLLER_TYPE_USB,
    PFS_DOMAIN_CONTROLLER_TYPE_PCI,

    PFS_DOMAIN_CONTROLLER_TYPE_LAST
} pfsDomainControllerType;
PFS_ENUM_DECL(pfsDomainController);

typedef struct _pfsDomainControllerDef pfsDomainControllerDef;
struct _pfsDomainControllerDef {
    pfsDomainControllerType type;
    unsigned int idx;
    char *model;        /* usb: "none"; pci: "pci-root"; else NULL */
    pfsDomainDeviceInfo info;
};

/* ---- <interface type='user'> ---- */

typedef enum {
    PFS_DOMAIN_NET_TYPE_USER = 0,

    PFS_DOMAIN_NET_TYPE_LAST
} pfsDomainNetType;
PFS_ENUM_DECL(pfsDomainNet);

typedef enum {
    PFS_DOMAIN_NET_MODEL_DEFAULT = 0,
    PFS_DOMAIN_NET_MODEL_VIRTIO,
    PFS_DOMAIN_NET_MODEL_E1000,
    PFS_DOMAIN_NET_MODEL_RTL8139,

    PFS_DOMAIN_NET_MODEL_LAST
} pfsDomainNetModel;
PFS_ENUM_DECL(pfsDomainNetModel);

#define PFS_MAC_BUFLEN 6
#define PFS_MAC_STRING_BUFLEN 18

typedef struct _pfsDomainNetDef pfsDomainNetDef;
struct _pfsDomainNetDef {
    pfsDomainNetType type;
    unsigned char mac[PFS_MAC_BUFLEN];
    pfsDomainNetModel model;
    pfsDomainDeviceInfo info;
};

/* ---- <serial> and <console> ---- */

typedef enum {
    PFS_DOMAIN_CHR_TYPE_PTY = 0,
    PFS_DOMAIN_CHR_TYPE_FILE,
    PFS_DOMAIN_CHR_TYPE_STDIO,

    PFS_DOMAIN_CHR_TYPE_LAST
} pfsDomainChrType;
PFS_ENUM_DECL(pfsDomainChr);

typedef struct _pfsDomainChrDef pfsDomainChrDef;
struct _pfsDomainChrDef {
    pfsDomainChrType type;
    char *path;            /* file only */
    pfsTristateSwitch append;   /* file only */
    unsigned int port;
    pfsDomainDeviceInfo info;
};

/* ---- <memballoon> ---- */

typedef enum {
    PFS_DOMAIN_MEMBALLOON_MODEL_VIRTIO = 0,
    PFS_DOMAIN_MEMBALLOON_MODEL_NONE,

    PFS_DOMAIN_MEMBALLOON_MODEL_LAST
} pfsDomainMemballoonModel;
PFS_ENUM_DECL(pfsDomainMemballoonModel);

typedef struct _pfsDomainMemballoonDef pfsDomainMemballoonDef;
struct _pfsDomainMemballoonDef {
    pfsDomainMemballoonModel model;
    pfsDomainDeviceInfo info;
};

/* ---- the domain ---- */

typedef enum {
    PFS_DOMAIN_VIRT_QEMU = 0,
    PFS_DOMAIN_VIRT_KVM,

    PFS_DOMAIN_VIRT_LAST
} pfsDomainVirtType;
PFS_ENUM_DECL(pfsDomainVirt);

typedef enum {
    PFS_DOMAIN_BOOT_HD = 0,
    PFS_DOMAIN_BOOT_CDROM,
    PFS_DOMAIN_BOOT_NETWORK,

    PFS_DOMAIN_BOOT_LAST
} pfsDomainBootDev;
PFS_ENUM_DECL(pfsDomainBootDev);

typedef enum {
    PFS_DOMAIN_LIFECYCLE_ACTION_DEFAULT = 0,
    PFS_DOMAIN_LIFECYCLE_ACTION_DESTROY,
    PFS_DOMAIN_LIFECYCLE_ACTION_RESTART,
    PFS_DOMAIN_LIFECYCLE_ACTION_RESTART_RENAME,
    PFS_DOMAIN_LIFECYCLE_ACTION_PRESERVE,
    PFS_DOMAIN_LIFECYCLE_ACTION_COREDUMP_DESTROY,
    PFS_DOMAIN_LIFECYCLE_ACTION_COREDUMP_RESTART,

    PFS_DOMAIN_LIFECYCLE_ACTION_LAST
} pfsDomainLifecycleAction;
PFS_ENUM_DECL(pfsDomainLifecycleAction);

typedef enum {
    PFS_DOMAIN_CLOCK_OFFSET_UTC = 0,
    PFS_DOMAIN_CLOCK_OFFSET_LOCALTIME,

    PFS_DOMAIN_CLOCK_OFFSET_LAST
} pfsDomainClockOffset;
PFS_ENUM_DECL(pfsDomainClockOffset);

typedef enum {
    PFS_DOMAIN_SECLABEL_DEFAULT = 0,
    PFS_DOMAIN_SECLABEL_NONE,
    PFS_DOMAIN_SECLABEL_DYNAMIC,
    PFS_DOMAIN_SECLABEL_STATIC,

    PFS_DOMAIN_SECLABEL_LAST
} pfsDomainSeclabelType;
PFS_ENUM_DECL(pfsDomainSeclabel);

/* <seclabel model='dac'>: the user:group QEMU runs as */
typedef struct _pfsDomainSeclabelDef pfsDomainSeclabelDef;
struct _pfsDomainSeclabelDef {
    pfsDomainSeclabelType type;
    pfsTristateSwitch relabel;   /* ON = yes, OFF = no */
    char *label;                 /* "user:group" or "+uid:+gid" */
    char *user;                  /* the two halves of label */
    char *group;
};

#define PFS_DOMAIN_BOOT_MAX PFS_DOMAIN_BOOT_LAST

typedef struct _pfsDomainDef pfsDomainDef;
struct _pfsDomainDef {
    pfsDomainVirtType virtType;
    char *name;
    unsigned char uuid[PFS_UUID_BUFLEN];
    bool haveUUID;        /* false: generated after parsing */

    unsigned long long memory;       /* KiB */
    unsigned long long curMemory;    /* KiB */
    unsigned int vcpus;

    struct {
        char *type;       /* "hvm" */
        char *arch;
        char *machine;
        char *kernel;
        char *initrd;
        char *cmdline;
        pfsDomainBootDev bootDevs[PFS_DOMAIN_BOOT_MAX];
        size_t nBootDevs;
    } os;

    bool acpi;
    bool apic;
    bool haveClock;
    pfsDomainClockOffset clockOffset;

    pfsDomainLifecycleAction onPoweroff;
    pfsDomainLifecycleAction onReboot;
    pfsDomainLifecycleAction onCrash;

    char *emulator;

    pfsDomainDiskDef **disks;
    size_t ndisks;
    pfsDomainControllerDef **controllers;
    size_t ncontrollers;
    pfsDomainFSDef **fss;
    size_t nfss;
    pfsDomainNetDef **nets;
    size_t nnets;
    pfsDomainChrDef **serials;
    size_t nserials;
    pfsDomainChrDef *console;   /* mirrors a serial port */
    pfsDomainMemballoonDef *memballoon;

    pfsDomainSeclabelDef *seclabel;
};

void pfsDomainDeviceInfoClear(pfsDomainDeviceInfo *info);

pfsDomainFSDef *pfsDomainFSDefNew(void);
void pfsDomainFSDefFree(pfsDomainFSDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(pfsDomainFSDef, pfsDomainFSDefFree);

pfsDomainDiskDef *pfsDomainDiskDefNew(void);
void pfsDomainDiskDefFree(pfsDomainDiskDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(pfsDomainDiskDef, pfsDomainDiskDefFree);

void pfsDomainControllerDefFree(pfsDomainControllerDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(pfsDomainControllerDef, pfsDomainControllerDefFree);

void pfsDomainNetDefFree(pfsDomainNetDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(pfsDomainNetDef, pfsDomainNetDefFree);

void pfsDomainChrDefFree(pfsDomainChrDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(pfsDomainChrDef, pfsDomainChrDefFree);
pfsDomainChrDef *pfsDomainChrDefCopy(const pfsDomainChrDef *src);

void pfsDomainMemballoonDefFree(pfsDomainMemballoonDef *def);
void pfsDomainSeclabelDefFree(pfsDomainSeclabelDef *def);

pfsDomainDef *pfsDomainDefNew(void);
void pfsDomainDefFree(pfsDomainDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(pfsDomainDef, pfsDomainDefFree);

/* ---- parsing, formatting, generic validation ---- */

/* Parse a domain document (from @filename, or from @xml when given;
 * @filename then only names it in messages), fill in defaults and run
 * the generic validation. Returns NULL after reporting an error. */
pfsDomainDef *pfsDomainDefParseFile(const char *filename);
pfsDomainDef *pfsDomainDefParseString(const char *xml);
/* The same for a document already read, e.g. to validate it first. */
pfsDomainDef *pfsDomainDefParseDoc(xmlDoc *doc);

/* The inactive domain XML of @def. */
char *pfsDomainDefFormat(const pfsDomainDef *def);

/* Libvirt's hypervisor-independent checks (domain_validate.c). */
int pfsDomainDefValidate(const pfsDomainDef *def);

/* A MAC address as "52:54:00:..." into @str (PFS_MAC_STRING_BUFLEN). */
void pfsMacAddrFormat(const unsigned char *mac, char *str);
int pfsMacAddrParse(const char *str, unsigned char *mac);
