#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Create the system users of virt-proxyfs: 'virt-proxyfs', which
# virt-proxyfs-helper serves as once it has confined itself (started as
# root it never stays uid 0), and 'virt-proxyfs-qemu', which the QEMU
# driver runs QEMU as (qemu.conf: user, group). Idempotent. Run by ./run
# and by 'meson install'; skipped for staged installs (DESTDIR), where the
# packaging creates them (data/virt-proxyfs.sysusers.conf).
set -eu

if [ -n "${DESTDIR:-}" ]; then
    exit 0
fi

create() {
    user=$1
    comment=$2
    if getent passwd "$user" >/dev/null 2>&1; then
        return 0
    fi
    if [ "$(id -u)" -ne 0 ]; then
        echo "create-user: the system user '$user' is missing and only root can create it" >&2
        exit 1
    fi
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin --comment "$comment" "$user"
    echo "create-user: created the system user '$user'"
}

create virt-proxyfs "virt-proxyfs helper"
create virt-proxyfs-qemu "virt-proxyfs QEMU"
