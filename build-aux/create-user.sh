#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Create the system user virt-proxyfs-helper serves as (when started as
# root it switches to this user, never staying uid 0). Idempotent. Run by
# ./run and by 'meson install'; skipped for staged installs (DESTDIR),
# where the packaging creates it (data/sysusers.d/virt-proxyfs.conf).
set -eu
user=virt-proxyfs

if [ -n "${DESTDIR:-}" ]; then
    exit 0
fi
if getent passwd "$user" >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "create-user: the system user '$user' is missing and only root can create it" >&2
    exit 1
fi
useradd --system --user-group --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin --comment "virt-proxyfs helper" "$user"
echo "create-user: created the system user '$user'"
